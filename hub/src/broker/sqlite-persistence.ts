import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Logger } from '../log.ts';
import { type Db, migrate } from '../state/db.ts';
import { isSosTopic } from './sos-topics.ts';

/**
 * aedes' session state in the hub's state database, so persistent sessions (clean=false) survive
 * a restart, a SIGTERM or a SIGKILL: subscriptions, each client's outgoing queue (QoS 1/2
 * messages not yet acknowledged, PUBRELs), inbound QoS 2 packets awaiting PUBREL, wills and
 * retained messages. It implements the async API aedes 1.2 calls directly (the contract of
 * aedes-persistence 11, whose abstract suite runs against it: sqlite-persistence.abstract.ts).
 *
 * Every method does its SQLite work synchronously before its promise settles, so a caller that
 * does not await (urgent-delivery.ts) still finds the row written when the PUBACK arrives.
 * Topic matching uses an in-memory trie (qlobber's QlobberSub, as the memory persistence does),
 * rebuilt from the table in `setup`. What every CONNECT and SUBSCRIBE asks — a client's
 * subscriptions, whether it left a will or has anything queued, whether any message is
 * retained — is answered from memory kept in step with the tables (loaded when opened), so a
 * reconnect storm reads nothing from SQLite and writes only what changed.
 */

export { isSosTopic };

export const sqlitePersistenceDefaults = {
  maxQueuedPerClient: 1000, // packets queued for one client; past it its oldest non-SOS packets are dropped
  neverDrop: isSosTopic as (topic: string) => boolean,
};
export type SqlitePersistenceOptions = Partial<typeof sqlitePersistenceDefaults> & { log?: Logger };

const migrations = [
  `CREATE TABLE broker_subscriptions (
     client_id TEXT NOT NULL, topic TEXT NOT NULL, qos INTEGER NOT NULL,
     options TEXT NOT NULL, -- JSON: rh, rap, nl, subscriptionIdentifier (as given)
     UNIQUE (client_id, topic));
   CREATE TABLE broker_outgoing (
     seq INTEGER PRIMARY KEY, -- queue order
     client_id TEXT NOT NULL, cmd TEXT NOT NULL,
     broker_id TEXT, broker_counter INTEGER, message_id INTEGER,
     topic TEXT, payload BLOB, qos INTEGER NOT NULL DEFAULT 0, retain INTEGER NOT NULL DEFAULT 0,
     dup INTEGER NOT NULL DEFAULT 0,
     keep INTEGER NOT NULL DEFAULT 0, -- 1: never dropped when the queue is full (SOS)
     extra TEXT); -- JSON: clientId, nl, messageExpiry of the original packet, when present
   CREATE INDEX broker_outgoing_client ON broker_outgoing (client_id, seq);
   CREATE TABLE broker_incoming (
     client_id TEXT NOT NULL, message_id INTEGER NOT NULL, packet TEXT NOT NULL, payload BLOB,
     PRIMARY KEY (client_id, message_id));
   CREATE TABLE broker_wills (client_id TEXT PRIMARY KEY, packet TEXT NOT NULL, payload BLOB);
   CREATE TABLE broker_retained (topic TEXT PRIMARY KEY, packet TEXT NOT NULL, payload BLOB);`,
];

type Payload = Buffer | string;
export interface PublishPacket {
  cmd: string;
  brokerId?: string;
  brokerCounter?: number;
  topic: string;
  payload: Payload;
  qos: number;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  [extra: string]: unknown;
}
type SubRow = { client_id: string; topic: string; qos: number; options: string };
type AnyPacket = { cmd?: string; messageId?: number; [k: string]: unknown };
interface Subscription {
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
  subscriptionIdentifier?: number;
}
type TrieSub = { clientId: string; topic: string; qos: number; rh?: number; rap?: boolean; nl?: boolean };
interface QlobberSubT {
  subscriptionsCount: number;
  add(topic: string, sub: TrieSub): void;
  remove(topic: string, sub: { clientId: string; topic: string }): void;
  match(topic: string): TrieSub[];
}
interface QlobberTrueT {
  add(topic: string): void;
  test(topic: string): boolean;
}
const require = createRequire(import.meta.url);
const QlobberSub = require('qlobber/aedes/qlobber-sub.js') as new (o: object) => QlobberSubT;
const { QlobberTrue } = require('qlobber') as { QlobberTrue: new (o: object) => QlobberTrueT };
const QLOBBER = { wildcard_one: '+', wildcard_some: '#', separator: '/' };

interface OutRow {
  seq: number;
  cmd: string;
  broker_id: string | null;
  broker_counter: number | null;
  message_id: number | null;
  topic: string | null;
  payload: Payload | null;
  qos: number;
  retain: number;
  dup: number;
  extra: string | null;
}
const idOf = (s: Subscription) =>
  s.subscriptionIdentifier === undefined ? {} : { subscriptionIdentifier: s.subscriptionIdentifier };
const EXTRA_KEYS = ['clientId', 'nl', 'messageExpiry'] as const;

/** broker_outgoing row → packet, in aedes-packet's shape (a PUBREL is just { cmd, messageId }). */
function packetOf(r: OutRow): AnyPacket {
  if (r.cmd !== 'publish') return { cmd: r.cmd, messageId: r.message_id ?? undefined };
  return {
    ...(r.extra ? (JSON.parse(r.extra) as object) : {}),
    cmd: r.cmd,
    brokerId: r.broker_id ?? undefined,
    brokerCounter: r.broker_counter ?? 0,
    topic: r.topic ?? '',
    payload: r.payload ?? Buffer.alloc(0),
    qos: r.qos,
    retain: r.retain === 1,
    dup: r.dup === 1,
    messageId: r.message_id ?? undefined,
  };
}
function extraOf(p: AnyPacket): string | null {
  const e: Record<string, unknown> = {};
  for (const k of EXTRA_KEYS) if (Object.hasOwn(p, k)) e[k] = p[k];
  return Object.keys(e).length > 0 ? JSON.stringify(e) : null;
}
/** For tables that keep a packet whole (incoming, wills, retained): JSON without the payload, the payload as it came. */
const split = (p: AnyPacket): [string, Payload | null] => {
  const { payload, ...rest } = p;
  return [JSON.stringify(rest), (payload as Payload | undefined) ?? null];
};
const join = (json: string, payload: Payload | null): AnyPacket => ({
  ...(JSON.parse(json) as AnyPacket),
  payload: payload ?? Buffer.alloc(0),
});

export class SqlitePersistence {
  /** Packets dropped from full queues since start (never SOS): what a slow or long-gone client lost. */
  dropped = 0;
  broker: { id: string } | undefined;
  private readonly o: typeof sqlitePersistenceDefaults;
  private readonly log: Logger | undefined;
  private readonly trie = new QlobberSub(QLOBBER);
  /** queued packets per client, to bound the queue without counting rows on every enqueue */
  private readonly queued = new Map<string, number>();
  private readonly overflowLogged = new Set<string>();
  private readonly pendingSubs: {
    clientId: string;
    subs: Subscription[];
    done: Promise<void>;
    resolve: () => void;
    reject: (err: Error) => void;
  }[] = [];
  /** every stored subscription (QoS 0 too) by client and topic: the table as committed */
  private readonly subsByClient = new Map<string, Map<string, Subscription>>();
  /** clients with a stored will */
  private readonly willClients = new Set<string>();
  /** topics with a retained message */
  private readonly retainedTopics = new Set<string>();
  private readonly q;

  constructor(
    private readonly db: Db,
    options: SqlitePersistenceOptions = {},
  ) {
    const { log, ...rest } = options;
    this.o = { ...sqlitePersistenceDefaults, ...rest };
    this.log = log;
    migrate(db, 'broker', migrations);
    const st = (sql: string) => db.prepare(sql);
    this.q = {
      subPut: st(`INSERT INTO broker_subscriptions (client_id, topic, qos, options) VALUES (?, ?, ?, ?)
                  ON CONFLICT (client_id, topic) DO UPDATE SET qos = excluded.qos, options = excluded.options`),
      subDel: st('DELETE FROM broker_subscriptions WHERE client_id = ? AND topic = ?'),
      subsDel: st('DELETE FROM broker_subscriptions WHERE client_id = ?'),
      subsEvery: st('SELECT client_id, topic, qos, options FROM broker_subscriptions ORDER BY rowid'),
      clientsOn: st('SELECT client_id FROM broker_subscriptions WHERE topic = ? ORDER BY rowid').pluck(),
      outPut:
        st(`INSERT INTO broker_outgoing (client_id, cmd, broker_id, broker_counter, topic, payload, qos, retain, dup, keep, extra)
                  VALUES (?, 'publish', ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      outOf: st('SELECT * FROM broker_outgoing WHERE client_id = ? ORDER BY seq'),
      outCounts: st('SELECT client_id, count(*) AS n FROM broker_outgoing GROUP BY client_id'),
      outByCounter:
        st(`SELECT seq FROM broker_outgoing WHERE client_id = ? AND broker_id IS ? AND broker_counter IS ?
                        ORDER BY seq LIMIT 1`).pluck(),
      outByMid: st(
        'SELECT * FROM broker_outgoing WHERE client_id = ? AND message_id = ? ORDER BY seq LIMIT 1',
      ),
      outMidTaken: st(
        'SELECT 1 FROM broker_outgoing WHERE client_id = ? AND message_id = ? AND seq != ? LIMIT 1',
      ).pluck(),
      outMids: st(
        'SELECT message_id FROM broker_outgoing WHERE client_id = ? AND message_id IS NOT NULL',
      ).pluck(),
      outSetMid: st('UPDATE broker_outgoing SET message_id = ? WHERE seq = ?'),
      outSetMidByCounter:
        st(`UPDATE broker_outgoing SET message_id = ? WHERE seq = (SELECT seq FROM broker_outgoing
                              WHERE client_id = ? AND broker_id IS ? AND broker_counter IS ? ORDER BY seq LIMIT 1)`),
      outToPubrel:
        st(`UPDATE broker_outgoing SET cmd = ?, message_id = ?, broker_id = NULL, broker_counter = NULL,
                       topic = NULL, payload = NULL, qos = 0, retain = 0, dup = 0, extra = NULL WHERE seq = ?`),
      outTakeByMid: st(`DELETE FROM broker_outgoing WHERE seq = (SELECT seq FROM broker_outgoing
                        WHERE client_id = ? AND message_id = ? ORDER BY seq LIMIT 1) RETURNING *`),
      outDropOldest: st(`DELETE FROM broker_outgoing WHERE seq IN (SELECT seq FROM broker_outgoing
                         WHERE client_id = ? AND keep = 0 AND cmd = 'publish' ORDER BY seq LIMIT ?)`),
      inPut: st(
        'INSERT OR REPLACE INTO broker_incoming (client_id, message_id, packet, payload) VALUES (?, ?, ?, ?)',
      ),
      inGet: st('SELECT packet, payload FROM broker_incoming WHERE client_id = ? AND message_id = ?'),
      inDel: st('DELETE FROM broker_incoming WHERE client_id = ? AND message_id = ?'),
      inClean: st('DELETE FROM broker_incoming WHERE client_id = ?'),
      willPut: st('INSERT OR REPLACE INTO broker_wills (client_id, packet, payload) VALUES (?, ?, ?)'),
      willGet: st('SELECT packet, payload FROM broker_wills WHERE client_id = ?'),
      willDel: st('DELETE FROM broker_wills WHERE client_id = ?'),
      willsAll: st('SELECT packet, payload FROM broker_wills ORDER BY rowid'),
      willClients: st('SELECT client_id FROM broker_wills').pluck(),
      retTopics: st('SELECT topic FROM broker_retained').pluck(),
      retPut: st('INSERT OR REPLACE INTO broker_retained (topic, packet, payload) VALUES (?, ?, ?)'),
      retDel: st('DELETE FROM broker_retained WHERE topic = ?'),
      retAll: st('SELECT topic, packet, payload FROM broker_retained ORDER BY rowid'),
    };
    for (const r of this.q.subsEvery.all() as SubRow[]) this.remember(r.client_id, this.subOf(r));
    for (const id of this.q.willClients.all() as string[]) this.willClients.add(id);
    for (const t of this.q.retTopics.all() as string[]) this.retainedTopics.add(t);
    for (const r of this.q.outCounts.all() as { client_id: string; n: number }[])
      this.queued.set(r.client_id, r.n);
  }

  /** Builds the topic trie from the subscriptions read when opened. */
  async setup(broker: { id: string }): Promise<void> {
    this.broker = broker;
    for (const [clientId, subs] of this.subsByClient) {
      for (const sub of subs.values()) if (sub.qos > 0) this.trie.add(sub.topic, { clientId, ...sub });
    }
  }

  async storeRetained(packet: AnyPacket): Promise<void> {
    const topic = packet.topic as string;
    const payload = packet.payload as Payload | undefined;
    if (!payload || payload.length === 0) {
      if (this.retainedTopics.has(topic)) this.q.retDel.run(topic);
      this.retainedTopics.delete(topic);
    } else {
      this.q.retPut.run(topic, ...split(packet));
      this.retainedTopics.add(topic);
    }
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern]);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    if (this.retainedTopics.size === 0) return Readable.from([]);
    const rows = this.q.retAll.all() as { topic: string; packet: string; payload: Payload | null }[];
    const out: AnyPacket[] = [];
    for (const pattern of patterns) {
      const match = new QlobberTrue(QLOBBER);
      match.add(pattern);
      for (const r of rows) if (match.test(r.topic)) out.push(join(r.packet, r.payload));
    }
    return Readable.from(out);
  }

  /**
   * Subscriptions are written in one transaction per event-loop turn (group commit): in a
   * reconnect storm hundreds of SUBSCRIBEs share a commit instead of paying one each. The SUBACK
   * still waits for the commit (aedes awaits this promise). A subscription stored exactly as
   * asked (a box resubscribing after a power cut) is not written again, and when a whole
   * SUBSCRIBE is unchanged it is answered at once. aedes calls this once per topic of a
   * SUBSCRIBE, each time with all of its topics: those calls share one write.
   */
  addSubscriptions(client: { id: string }, subs: Subscription[]): Promise<void> {
    let mine = false;
    for (const b of this.pendingSubs) {
      if (b.clientId !== client.id) continue;
      if (b.subs === subs) return b.done;
      mine = true;
    }
    if (!mine && subs.every((s) => this.unchanged(client.id, s))) return Promise.resolve();
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pendingSubs.push({ clientId: client.id, subs, done, resolve, reject });
    if (this.pendingSubs.length === 1) setImmediate(() => this.flushSubscriptions());
    return done;
  }

  /** Whether `sub` is stored for the client exactly as given. */
  private unchanged(clientId: string, sub: Subscription): boolean {
    const had = this.subsByClient.get(clientId)?.get(sub.topic);
    return (
      had !== undefined &&
      had.qos === sub.qos &&
      had.rh === sub.rh &&
      had.rap === sub.rap &&
      had.nl === sub.nl &&
      had.subscriptionIdentifier === sub.subscriptionIdentifier
    );
  }

  /** Flushes first only when this client has subscriptions waiting for the turn's commit. */
  private flushFor(clientId: string): void {
    if (this.pendingSubs.some((b) => b.clientId === clientId)) this.flushSubscriptions();
  }

  /** Writes the subscriptions waiting for this turn's commit; every other reader of them calls it first. */
  private flushSubscriptions(): void {
    if (this.pendingSubs.length === 0) return;
    const batch = this.pendingSubs.splice(0);
    try {
      this.db.transaction(() => {
        for (const b of batch) this.putSubscriptions(b.clientId, b.subs);
      })();
    } catch (err) {
      for (const b of batch) b.reject(err as Error);
      return;
    }
    for (const b of batch) b.resolve();
  }

  private putSubscriptions(clientId: string, subs: Subscription[]): void {
    for (const sub of subs) {
      if (this.unchanged(clientId, sub)) continue;
      const { topic, qos, ...options } = sub;
      const before = this.subsByClient.get(clientId)?.get(topic)?.qos;
      this.q.subPut.run(clientId, topic, qos, JSON.stringify(options));
      this.remember(clientId, { topic, qos, rh: sub.rh, rap: sub.rap, nl: sub.nl, ...idOf(sub) });
      if (qos > 0) this.trie.add(topic, { clientId, topic, qos, rh: sub.rh, rap: sub.rap, nl: sub.nl });
      else if (before !== undefined && before > 0) this.trie.remove(topic, { clientId, topic });
    }
  }

  private remember(clientId: string, sub: Subscription): void {
    const subs = this.subsByClient.get(clientId) ?? new Map<string, Subscription>();
    this.subsByClient.set(clientId, subs.set(sub.topic, sub));
  }

  async removeSubscriptions(client: { id: string }, topics: string[]): Promise<void> {
    this.flushFor(client.id);
    const subs = this.subsByClient.get(client.id);
    if (!subs) return;
    this.db.transaction(() => {
      for (const topic of topics) {
        const before = subs.get(topic)?.qos;
        if (before === undefined) continue;
        this.q.subDel.run(client.id, topic);
        if (before > 0) this.trie.remove(topic, { clientId: client.id, topic });
      }
    })();
    for (const topic of topics) subs.delete(topic);
    if (subs.size === 0) this.subsByClient.delete(client.id);
  }

  async subscriptionsByClient(client: { id: string }): Promise<Subscription[]> {
    this.flushFor(client.id);
    return [...(this.subsByClient.get(client.id)?.values() ?? [])].map((s) => ({ ...s }));
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    this.flushSubscriptions();
    return { subsCount: this.trie.subscriptionsCount, clientsCount: this.subsByClient.size };
  }

  async subscriptionsByTopic(topic: string): Promise<TrieSub[]> {
    this.flushSubscriptions();
    return this.trie.match(topic);
  }

  async cleanSubscriptions(client: { id: string }): Promise<void> {
    this.flushFor(client.id);
    const subs = this.subsByClient.get(client.id);
    if (!subs) return;
    this.q.subsDel.run(client.id);
    this.subsByClient.delete(client.id);
    for (const s of subs.values())
      if (s.qos > 0) this.trie.remove(s.topic, { clientId: client.id, topic: s.topic });
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: PublishPacket): Promise<void> {
    this.enqueue(sub.clientId, packet);
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: PublishPacket): Promise<void> {
    if (subs.length === 1) this.enqueue((subs[0] as { clientId: string }).clientId, packet);
    else if (subs.length > 1) {
      this.db.transaction(() => {
        for (const s of subs) this.enqueue(s.clientId, packet);
      })();
    }
  }

  /**
   * Records the packet id aedes gave a queued publish (found by broker id and counter), or turns
   * the queued publish with that packet id into the PUBREL. A publish not in the queue (dropped
   * from a full one) is let through unrecorded instead of failing the client as aedes' memory
   * persistence does. A QoS 1 publish whose id another queued packet of the client still holds
   * (aedes restarts a reconnected client's ids at 1 while the resent ones keep theirs) gets a free
   * id instead: `packet.messageId` is changed before aedes writes it, so a PUBACK clears, and
   * `ack` reports, the right packet.
   */
  async outgoingUpdate(client: { id: string }, packet: AnyPacket): Promise<void> {
    if (packet.cmd !== 'publish') {
      const row = this.q.outByMid.get(client.id, packet.messageId) as OutRow | undefined;
      if (row) this.q.outToPubrel.run(packet.cmd, packet.messageId, row.seq);
      return;
    }
    if (packet.messageId === undefined) return;
    const brokerId = packet.brokerId ?? null;
    const counter = packet.brokerCounter ?? null;
    if ((this.queued.get(client.id) ?? 0) <= 1) {
      // the usual case, one message in flight: nothing else can hold its id (one statement on the SOS path)
      this.q.outSetMidByCounter.run(packet.messageId, client.id, brokerId, counter);
      return;
    }
    const seq = this.q.outByCounter.get(client.id, brokerId, counter) as number | undefined;
    if (seq === undefined) return;
    if (packet.qos === 1 && this.q.outMidTaken.get(client.id, packet.messageId, seq)) {
      packet.messageId = this.freeMessageId(client.id, packet.messageId);
    }
    this.q.outSetMid.run(packet.messageId, seq);
  }

  /** Removes the acknowledged packet and returns it as it was queued (topic, payload...), or undefined. */
  async outgoingClearMessageId(client: { id: string }, packet: AnyPacket): Promise<AnyPacket | undefined> {
    const row = this.q.outTakeByMid.get(client.id, packet?.messageId ?? null) as OutRow | undefined;
    if (!row) return undefined;
    this.countQueued(client.id, -1);
    return packetOf(row);
  }

  outgoingStream(client: { id: string }): Readable {
    if (!this.queued.has(client.id)) return Readable.from([]);
    return Readable.from((this.q.outOf.all(client.id) as OutRow[]).map(packetOf));
  }

  async incomingStorePacket(client: { id: string }, packet: AnyPacket): Promise<void> {
    const p: AnyPacket = {
      cmd: packet.cmd ?? 'publish',
      brokerId: packet.brokerId,
      brokerCounter: packet.brokerCounter ?? 0,
      topic: packet.topic,
      payload: packet.payload,
      qos: packet.qos ?? 0,
      retain: packet.retain ?? false,
      dup: packet.dup ?? false,
      messageId: packet.messageId,
    };
    this.q.inPut.run(client.id, packet.messageId, ...split(p));
  }

  async incomingGetPacket(client: { id: string }, packet: AnyPacket): Promise<AnyPacket> {
    const r = this.q.inGet.get(client.id, packet.messageId) as
      | { packet: string; payload: Payload }
      | undefined;
    if (!r) throw new Error('no such packet');
    return join(r.packet, r.payload);
  }

  async incomingDelPacket(client: { id: string }, packet: AnyPacket): Promise<void> {
    if (this.q.inDel.run(client.id, packet.messageId).changes === 0) throw new Error('no such packet');
  }

  async cleanIncoming(client: { id: string }): Promise<void> {
    this.q.inClean.run(client.id);
  }

  async putWill(client: { id: string }, packet: AnyPacket): Promise<void> {
    packet.brokerId = this.broker?.id;
    packet.clientId = client.id;
    this.q.willPut.run(client.id, ...split(packet));
    this.willClients.add(client.id);
  }

  async getWill(client: { id: string }): Promise<AnyPacket | undefined> {
    if (!this.willClients.has(client.id)) return undefined;
    const r = this.q.willGet.get(client.id) as { packet: string; payload: Payload } | undefined;
    return r && join(r.packet, r.payload);
  }

  async delWill(client: { id: string }): Promise<AnyPacket | undefined> {
    const will = await this.getWill(client);
    if (will) this.q.willDel.run(client.id);
    this.willClients.delete(client.id);
    return will;
  }

  /** Wills of clients last connected to a broker that is not in `brokers` (alive ones): the broker publishes them. */
  streamWill(brokers: Record<string, unknown> = {}): Readable {
    const wills = (this.q.willsAll.all() as { packet: string; payload: Payload }[]).map((r) =>
      join(r.packet, r.payload),
    );
    return Readable.from(wills.filter((w) => !brokers[w.brokerId as string]));
  }

  getClientList(topic: string): Readable {
    this.flushSubscriptions();
    return Readable.from(this.q.clientsOn.all(topic) as string[]);
  }

  /** The database belongs to the hub, which closes it; this only forgets the in-memory state. */
  async destroy(): Promise<void> {
    this.queued.clear();
  }

  private subOf(r: SubRow): Subscription {
    const o = JSON.parse(r.options) as Omit<Subscription, 'topic' | 'qos'>;
    const sub: Subscription = { topic: r.topic, qos: r.qos, rh: o.rh, rap: o.rap, nl: o.nl };
    if (o.subscriptionIdentifier !== undefined) sub.subscriptionIdentifier = o.subscriptionIdentifier;
    return sub;
  }

  private enqueue(clientId: string, p: PublishPacket): void {
    const keep = p.topic !== undefined && this.o.neverDrop(p.topic);
    this.q.outPut.run(
      clientId,
      p.brokerId ?? null,
      p.brokerCounter ?? null,
      p.topic,
      p.payload ?? Buffer.alloc(0),
      p.qos ?? 0,
      p.retain ? 1 : 0,
      p.dup ? 1 : 0,
      keep ? 1 : 0,
      extraOf(p),
    );
    const n = this.countQueued(clientId, 1);
    if (n > this.o.maxQueuedPerClient) this.dropOldest(clientId, n - this.o.maxQueuedPerClient);
  }

  /** Past the bound: the oldest publishes that are not SOS go. A queue of SOS only may grow past it. */
  private dropOldest(clientId: string, excess: number): void {
    const gone = this.q.outDropOldest.run(clientId, excess).changes;
    if (gone === 0) return;
    this.dropped += gone;
    this.countQueued(clientId, -gone);
    if (this.overflowLogged.has(clientId)) return;
    this.overflowLogged.add(clientId);
    this.log?.warn(
      { clientId, maxQueuedPerClient: this.o.maxQueuedPerClient, droppedTotal: this.dropped },
      'outgoing queue full: dropping the oldest non-SOS messages of this client (logged once until its queue empties)',
    );
  }

  private countQueued(clientId: string, delta: number): number {
    const n = Math.max(0, (this.queued.get(clientId) ?? 0) + delta);
    if (n === 0) {
      this.queued.delete(clientId);
      this.overflowLogged.delete(clientId);
    } else this.queued.set(clientId, n);
    return n;
  }

  /** The next packet id after `from` (1…65535, wrapping) that no queued packet of the client holds. */
  private freeMessageId(clientId: string, from: number): number {
    const taken = new Set(this.q.outMids.all(clientId) as number[]);
    let id = from;
    for (let i = 0; i < 65_535; i++) {
      id = id >= 65_535 ? 1 : id + 1;
      if (!taken.has(id)) return id;
    }
    return from; // 65535 packets in flight: nothing free, keep aedes' choice
  }
}
