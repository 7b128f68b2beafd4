import type { ComponentHealth, Publisher } from '../../context.ts';
import type { Logger } from '../../log.ts';
import type { BrokerHooks } from '../broker.ts';
import { type AdoptionReport, drainSession } from './drain.ts';
import { type IdentityRegistry, senderOf } from './identity.ts';
import { ConsumerLink, type LinkState } from './link.ts';
import {
  consumerIds,
  type ExternalBrokerOptions,
  externalBrokerDefaults,
  MAX_CONSUMERS,
  type ResolvedExternalOptions,
} from './options.ts';
import { externalPublisher, type PublishCounts } from './publisher.ts';
import type { Consume } from './session.ts';

/** What the external consumer hands on: the same hooks the embedded broker calls (ingest, presence). */
export type ExternalHooks = Pick<BrokerHooks, 'offer' | 'recordReject' | 'deviceHeard'>;

type State = 'idle' | 'connecting' | 'running' | 'closing' | 'closed';

/**
 * The hub as a client of an external MQTT 5 broker. It consumes `sl/v1/{device}/{kind}` and
 * `sl/v1/worker/{id}/ack` through shared subscriptions (`$share/<group>/…`) on `consumers`
 * connections, each under a stable client id derived from the hub's (`id`, `id:2`, … — see
 * consumerIds) with a persistent session, hands each message to ingest exactly as the embedded
 * broker does, and acknowledges it only after its inbox commit. Downlink goes out through
 * `publisher` on the first connection (one connection keeps the hub's publishes in order). At
 * start it drains the sessions of dead hubs named in `adopt`, and its own ids past `consumers`
 * (left by an earlier run with more connections: the broker keeps giving them their share).
 *
 * Why several connections: mqtt.js hands one connection's QoS 1 messages on one at a time (the
 * next only after the previous one's PUBACK, which waits for the commit), and it has no public
 * way to acknowledge later. With N connections N messages are in flight, and one group commit
 * carries them all.
 *
 * Exactly-once effects come from the store: the broker may deliver a message again (after a
 * restart, a takeover, a dropped connection), and the inbox's (sender, id) key stores it once.
 */
export class ExternalBroker {
  readonly publisher: Publisher;
  private readonly o: ResolvedExternalOptions;
  private readonly links: ConsumerLink[];
  private state: State = 'idle';
  private readonly adoptions = new Map<string, AdoptionReport>();
  private drains: Promise<unknown>[] = [];
  private readonly publishes: PublishCounts = { pending: 0, failed: 0 };
  consumed = 0;
  unrecorded = 0;
  /** messages handed to ingest and not yet acknowledged (or refused), now and at most so far */
  inFlight = 0;
  peakInFlight = 0;

  constructor(
    private readonly registry: IdentityRegistry,
    private readonly hooks: ExternalHooks,
    private readonly log: Logger,
    options: ExternalBrokerOptions,
  ) {
    this.o = { ...externalBrokerDefaults, ...options };
    const n = this.o.consumers;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONSUMERS)
      throw new Error(
        `external broker: consumers must be a whole number from 1 to ${MAX_CONSUMERS} (STEPPELINK_BROKER_CONSUMERS), got ${n}`,
      );
    this.links = consumerIds(this.o.clientId, n).map((id) => new ConsumerLink(id, this.o, this.consume, log));
    this.publisher = externalPublisher(() => this.links[0]?.client, this.o, this.publishes);
  }

  get clientId(): string {
    return this.o.clientId;
  }

  /**
   * Opens every consumer connection and resolves once each has had its CONNACK (each retries a
   * refusing or unreachable broker for `startTimeoutMs`); if one cannot, the others are closed
   * and start() rejects with what the broker said.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`external broker: start() called in state '${this.state}'`);
    this.state = 'connecting';
    const started = await Promise.allSettled(this.links.map((l) => l.start()));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(this.links.map((l) => l.close()));
      this.state = 'closed';
      throw failed.reason;
    }
    this.state = 'running';
    const own = consumerIds(this.o.clientId, MAX_CONSUMERS).slice(this.o.consumers);
    for (const id of own) this.drain(id);
    for (const id of this.o.adopt ?? []) this.adopt(id);
  }

  /**
   * Adopts a dead hub: drains the sessions under each of its consumer ids (`hubClientId`, `:2`, …
   * up to MAX_CONSUMERS, whatever it ran with; an id without a session is ended at once).
   */
  adopt(hubClientId: string): Promise<AdoptionReport[]> {
    return Promise.all(consumerIds(hubClientId, MAX_CONSUMERS).map((id) => this.drain(id)));
  }

  /**
   * Drains the session left under `clientId` (drain.ts): connects with that id (clean start off),
   * unsubscribes its shared filters so the broker gives it nothing new, records and acknowledges
   * what the broker had queued or in flight for it, then ends the session (session expiry 0).
   */
  private drain(clientId: string): Promise<AdoptionReport> {
    const report: AdoptionReport = { clientId, state: 'draining', drained: 0 };
    this.adoptions.set(clientId, report);
    const p = drainSession(this.o, clientId, this.consume, report, this.log).catch((err: Error) => {
      report.state = 'failed';
      report.error = err.message;
      this.log.error({ err, clientId }, 'adopting a dead hub session failed');
      return report;
    });
    this.drains.push(p);
    return p;
  }

  /** Adoption reports of sessions that were there (ids probed and found empty are left out). */
  adopted(): AdoptionReport[] {
    return [...this.adoptions.values()].filter((r) => r.state !== 'empty');
  }

  health(): ComponentHealth {
    const states = this.links.map((l) => l.state);
    const all = (s: LinkState) => states.every((x) => x === s);
    const connection = all('connected')
      ? 'connected'
      : states.includes('connected') || states.includes('reconnecting')
        ? 'reconnecting'
        : (states[0] ?? 'closed');
    return {
      state: connection === 'connected' ? 'up' : connection === 'reconnecting' ? 'degraded' : 'down',
      mode: 'external',
      url: this.o.url,
      clientId: this.o.clientId,
      group: this.o.group,
      connection,
      connections: this.links.map((l) => ({ clientId: l.clientId, state: l.state, connects: l.connects })),
      consumed: this.consumed,
      unrecorded: this.unrecorded,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      connects: this.links.reduce((s, l) => s + l.connects, 0),
      pendingPublishes: this.publishes.pending,
      failedPublishes: this.publishes.failed,
      ...(this.links.some((l) => l.lastError)
        ? { lastError: this.links.find((l) => l.lastError)?.lastError }
        : {}),
      ...(this.adopted().length > 0 ? { adopted: this.adopted() } : {}),
    };
  }

  /** Ends the connections; the broker keeps the sessions (and queues this hub's share) until they come back. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    await Promise.all(this.drains);
    await Promise.all(this.links.map((l) => l.close()));
    this.state = 'closed';
  }

  private readonly consume: Consume = (topic, payload, ack) => {
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    const settle = (ok: boolean) => {
      this.inFlight--;
      ack(ok);
    };
    senderOf(this.registry, topic).then(
      (s) => {
        this.consumed++;
        if (!s.ok) {
          // acknowledged once its dead letter is committed (kept for inspection, not worth a
          // redelivery loop); a failed write leaves it unacknowledged, so the broker sends it again
          this.hooks.recordReject(s.reason, topic, s.deviceId, null, s.detail, (err) => {
            if (err) this.unrecorded++;
            settle(!err);
          });
          return;
        }
        if (s.who?.type === 'device') this.hooks.deviceHeard(s.who.deviceId);
        const clientId = s.who?.type === 'device' ? s.who.deviceId : null;
        this.hooks.offer(s.who, clientId, topic, payload, (err) => {
          if (err) this.unrecorded++;
          settle(!err);
        });
      },
      (err: Error) => {
        this.unrecorded++;
        this.log.error({ err, topic }, 'registry lookup failed; the message will come again');
        settle(false);
      },
    );
  };
}
