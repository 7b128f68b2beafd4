import type { Facts, IncidentCore, PageKind } from './decide.ts';
import type { Incident, TimelineEvent } from './store.ts';

/**
 * The incident store port: what the incident runner (engine.ts) needs from durable state, as
 * async calls, so that a PostgreSQL adapter can stand in for SQLite. Reads hand the decision core
 * an incident with its facts; `commit` writes one decision (the incident, its timeline lines, its
 * page steps, its outbox rows, the message ids it applied) all or nothing, and refuses it when
 * the incident changed since it was read (optimistic concurrency: a timer step, an ack and a
 * press can never both win). Every adapter runs the contract suite in store-contract.ts.
 */
export interface IncidentStore {
  /** The incident with the facts the core needs, and how many sos-acks it has sent (their numbering). */
  byId(id: string): Promise<StoredIncident | undefined>;
  /** The key's open incident, else (with `orClosed`) its most recently closed one. */
  forKey(key: string, orClosed: boolean): Promise<StoredIncident | undefined>;
  /** The incident an applied message went to (null: applied to none), undefined when never applied. */
  messageIncident(source: string, msgId: string): Promise<string | null | undefined>;
  /** Writes a decision. Throws `StoreConflict` when the incident's version moved or a step/message was taken. */
  commit(c: Commit): Promise<Committed>;
  /** Incidents whose timer is due at `now`, earliest first. */
  due(now: number, limit: number): Promise<string[]>;
  /** The earliest timer of any incident (null: none). */
  nextDue(): Promise<number | null>;
  /** Moves an incident's timer (a step that failed is tried again later). */
  retryAt(id: string, at: number): Promise<void>;
  timeline(id: string): Promise<TimelineEvent[]>;
  /** People paged with an alert for the incident (optionally at one level). */
  paged(id: string, level?: number): Promise<string[]>;
  /** Open incidents of a device (its positions attach to them). */
  openOfDevice(deviceId: string): Promise<string[]>;
  positions(id: string): Promise<{ t: number; lat: number; lon: number }[]>;
}

export interface StoredIncident extends IncidentCore {
  /** sos-acks written for it so far */
  acks: number;
}

/** One timeline line as decided. */
export interface TimelineLine {
  event: string;
  state: Incident['state'];
  actor?: { id: string; name: string; role?: string };
  level?: number;
  note?: string;
  data?: Record<string, unknown>;
}

export interface PageInsert {
  level: number;
  reminder: number;
  kind: PageKind;
  ackBy: number | null;
  people: readonly string[];
}

/** One outbox row to write: a recipient × channel of a page, a household sos-ack, a duty notice. */
export interface DeliveryInsert {
  key: string;
  channel: string;
  payload: string;
  incidentId: string | null;
  level: number | null;
  reminder: number | null;
  kind: string;
  person: string | null;
  device: string | null;
  status: string;
  attempts: number;
  nextTryAt: number | null;
  wireId: string | null;
  afterKey: string | null;
  deliveredAt: number | null;
}

export interface Commit {
  at: number;
  /** The incident as decided; its `version` is the one read (0 and `insert` for a new one). */
  incident: Incident;
  insert: boolean;
  lines: readonly TimelineLine[];
  pages: readonly PageInsert[];
  deliveries: readonly DeliveryInsert[];
  /** MQTT messages this decision applies (applied once: a second commit naming one conflicts). */
  messages: readonly { source: string; id: string }[];
  /** Positions to attach (kept: the newest `keepPositions`). */
  positions?: readonly { t: number; lat: number; lon: number }[];
  keepPositions?: number;
}

export interface Committed {
  /** The outbox rows this commit inserted, with their ids (a row whose key existed is not among them). */
  deliveries: { id: number; key: string }[];
}

/** The incident changed since it was read, or another writer took the step or message first. */
export class StoreConflict extends Error {}

export const NO_FACTS: Facts = {
  pages: [],
  declined: [],
  unreachable: [],
  pressSpan: { minTs: 0, maxTs: 0 },
};
