import { decode, parseTopic, type WireErrorCode } from '@steppelink/protocols';
import { type Identity, mayPublish } from '../broker/acl.ts';
import type { Clock } from '../clock.ts';
import type { ComponentHealth, HubModule } from '../context.ts';
import type { HubEvents } from '../events.ts';
import type { Logger } from '../log.ts';
import type { HubMetrics } from '../metrics.ts';
import type { DeadLetterReader, RejectReason } from '../ports.ts';
import type { Db } from '../state/db.ts';
import type { TelemetryStore } from '../telemetry/port.ts';
import {
  AcceptQueue,
  type AcceptQueueOptions,
  type Done,
  type IngestKind,
  isWorkerKind,
} from './accept-queue.ts';
import { ClockSkew, ClockSkewTable, clockSkewDefaults } from './clock-skew.ts';
import { DeadLetterTable, excerptOf } from './dead-letters.ts';
import { type InboxStore, inboxDefaults, settle } from './inbox.ts';
import { SqliteInboxStore } from './sqlite-inbox.ts';
import { Processor, type ProcessorOptions } from './processor.ts';

export const ingestDefaults = {
  inboxRetentionMs: 30 * 86_400_000, // message ids deduplicate for 30 days; older processed rows are deleted
  retentionIntervalMs: 3_600_000, // how often old inbox rows are deleted
  retentionChunkRows: 5_000, // rows per delete transaction, so the event loop breathes between chunks
  deadLetterKeep: inboxDefaults.deadLetterKeep,
  ...clockSkewDefaults, // futureToleranceMs, clockSkewClearAfterMs: see clock-skew.ts and README "Device clocks"
};

export interface IngestOptions extends Partial<typeof ingestDefaults> {
  queue?: AcceptQueueOptions;
  processor?: ProcessorOptions;
}

export interface IngestDeps {
  db: Db;
  telemetry: TelemetryStore;
  modules: readonly HubModule[];
  events: HubEvents;
  metrics: HubMetrics;
  clock: Clock;
  log: Logger;
  /** The inbox store (its port); default the SQLite adapter on `db`. */
  inbox?: InboxStore;
}

const WIRE_REASON: Record<WireErrorCode, RejectReason> = {
  too_large: 'too_large',
  not_utf8: 'not_utf8',
  not_json: 'not_json',
  not_object: 'not_object',
  unsupported_version: 'unsupported_version',
  schema: 'schema',
  unknown_kind: 'bad_topic',
};

type State = 'idle' | 'running' | 'closing' | 'closed';

type Verdict =
  | { reason: RejectReason; detail: string }
  /** `id`: the device id, or the person id for a worker ack */
  | { kind: IngestKind; id: string; msg: { id: string } };

const describeWho = (who: Identity | null) =>
  who === null
    ? 'an unauthenticated client'
    : who.type === 'device'
      ? `device ${who.deviceId}`
      : `person ${who.personId}`;

/** Topic → ACL → decode: what becomes of one PUBLISH. Pure; never throws. */
export function verdict(who: Identity | null, topic: string, payload: Buffer): Verdict {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return { reason: 'bad_topic', detail: parsed.error.message };
  const t = parsed.value;
  if (!who || !mayPublish(who, t)) {
    return { reason: 'acl', detail: `${describeWho(who)} may not publish to ${t.type} topic ${topic}` };
  }
  const kind: IngestKind =
    t.type === 'up' ? t.kind : t.type === 'worker-reply' ? 'worker-reply' : 'worker-ack';
  const r = decode(kind, payload);
  if (!r.ok) return { reason: WIRE_REASON[r.error.code], detail: r.error.message };
  return { kind, id: who.type === 'device' ? who.deviceId : who.personId, msg: r.value as { id: string } };
}

/**
 * Ingest: every upstream PUBLISH passes `offer` exactly once (from the broker's
 * authorizePublish). Topic → ACL → decode (protocols) → group commit into the inbox → PUBACK →
 * processor (telemetry store, module handlers). Rejections are acknowledged too, and recorded.
 */
export class Ingest {
  readonly inbox: InboxStore;
  readonly deadLetters: DeadLetterReader;
  private readonly deadTable: DeadLetterTable;
  private readonly queue: AcceptQueue;
  private readonly processor: Processor;
  readonly clockSkew: ClockSkew;
  private readonly o: typeof ingestDefaults;
  private state: State = 'idle';
  private retentionTimer: unknown;

  constructor(
    private readonly d: IngestDeps,
    options: IngestOptions = {},
  ) {
    this.o = { ...ingestDefaults, ...options };
    this.inbox = d.inbox ?? new SqliteInboxStore(d.db, { deadLetterKeep: this.o.deadLetterKeep });
    this.deadTable = new DeadLetterTable(this.inbox, d.log);
    this.deadLetters = this.deadTable;
    this.clockSkew = new ClockSkew(new ClockSkewTable(d.db), d.metrics, {
      futureToleranceMs: this.o.futureToleranceMs,
      clockSkewClearAfterMs: this.o.clockSkewClearAfterMs,
    });
    this.processor = new Processor(
      {
        ...d,
        inbox: this.inbox,
        clockSkew: this.clockSkew,
        deadLetter: (x) => this.queue.reject(x),
        progress: () => this.queue.drained(),
      },
      options.processor,
    );
    this.queue = new AcceptQueue(this.inbox, this.deadTable, this.processor, d.metrics, d.log, options.queue);
    d.metrics.queue('inbox_commit', () => this.queue.depth);
    d.metrics.queue('processor', () => this.processor.backlog);
    d.metrics.queue('held_acks', () => this.queue.parkedCount);
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`ingest: start() called in state '${this.state}'`);
    this.state = 'running';
    this.processor.start();
    this.retentionTimer = this.d.clock.setInterval(() => this.applyRetention(), this.o.retentionIntervalMs);
  }

  /**
   * One PUBLISH from a client. `done` completes the broker's authorizePublish: called after the
   * message (or its dead letter) is committed. Never throws.
   */
  offer(who: Identity | null, clientId: string | null, topic: string, payload: Buffer, done: Done): void {
    if (this.state !== 'running') {
      done(new Error('ingest is not running'));
      return;
    }
    const v = verdict(who, topic, payload);
    if ('reason' in v) {
      this.queue.reject({
        at: this.d.clock.now(),
        topic: topic.length > 256 ? `${topic.slice(0, 256)}…` : topic,
        deviceId: who?.type === 'device' ? who.deviceId : null,
        clientId,
        reason: v.reason,
        detail: v.detail,
        excerpt: excerptOf(payload),
        done,
      });
      return;
    }
    this.queue.accept({
      sender: isWorkerKind(v.kind) ? `worker/${v.id}` : v.id,
      deviceId: v.id,
      msgId: v.msg.id,
      kind: v.kind,
      payload,
      msg: v.msg,
      receivedAt: this.d.clock.now(),
      seq: 0,
      done,
    });
  }

  /** Records a rejection that never reached `offer` (e.g. a packet over the broker's size bound). */
  recordReject(
    reason: RejectReason,
    topic: string,
    deviceId: string | null,
    clientId: string | null,
    detail: string,
    done?: (err?: Error | null) => void,
  ): void {
    this.queue.reject({
      at: this.d.clock.now(),
      topic,
      deviceId,
      clientId,
      reason,
      detail,
      excerpt: '',
      ...(done ? { done } : {}),
    });
  }

  applyRetention(): void {
    const cutoff = this.d.clock.now() - this.o.inboxRetentionMs;
    const step = () => {
      if (this.state !== 'running') return;
      settle(
        () => this.inbox.deleteOlderThan(cutoff, this.o.retentionChunkRows),
        (n) => {
          if (n === this.o.retentionChunkRows) setImmediate(step);
        },
        (err) => this.d.log.error({ err }, 'inbox retention failed; tried again at the next interval'),
      );
    };
    step();
  }

  health(): ComponentHealth & {
    queued: number;
    backlog: number;
    heldAcks: number;
    clockSkewedDevices: number;
  } {
    const degraded = this.queue.parkedCount > 0 || this.processor.storeFailing;
    return {
      state: this.state === 'running' ? (degraded ? 'degraded' : 'up') : 'down',
      phase: this.processor.status,
      queued: this.queue.depth,
      backlog: this.processor.backlog,
      heldAcks: this.queue.parkedCount,
      processed: this.processor.processed,
      commitFailures: this.queue.commitFailures,
      commits: this.queue.commits,
      messagesPerCommit: this.queue.commits === 0 ? 0 : Math.round(this.queue.committed / this.queue.commits),
      messagesPerStoreWrite:
        this.processor.batches === 0 ? 0 : Math.round(this.processor.processed / this.processor.batches),
      storeFailures: this.processor.storeFailures,
      clockSkewedDevices: this.clockSkew.flaggedCount,
    };
  }

  /** Commits what is pending, lets the processor finish its current batch; the rest replays at next start. */
  async close(): Promise<{ unprocessed: number }> {
    if (this.state === 'closed' || this.state === 'idle') {
      this.state = 'closed';
      return { unprocessed: 0 };
    }
    this.state = 'closing';
    this.d.clock.clearInterval(this.retentionTimer);
    await this.queue.flushNow();
    const r = await this.processor.close();
    await this.queue.flushNow(); // dead letters the processor recorded while finishing
    this.state = 'closed';
    return r;
  }
}
