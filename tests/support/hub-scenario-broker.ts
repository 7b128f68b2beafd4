import { decode, type UpKind } from '@steppelink/protocols';
import type { ScenarioBroker, UpstreamObserver } from '@steppelink/edge/testing';
import {
  type HubModule,
  type Hub,
  createStandardModules,
  type DeviceKind,
  registryDocumentSchema,
} from '@steppelink/hub';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { startTestHub, type TestHub } from './hub.ts';

interface Seen {
  deviceId: string;
  msg: Record<string, unknown>;
  /** inbox seq: the hub's acceptance order */
  order: number;
}

/** A prepared SELECT on the hub's state database, as used here. */
type Statement = { all(...params: number[]): unknown[] };

const POLL_MS = 10;
/** How long a downlink publish waits for a device to have subscribed to its topic, then goes out anyway. */
const SUBSCRIBE_GUARD_MS = 10_000;

/** Does an MQTT topic filter (`+`, `#`) match a topic name? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * Records the subscriptions devices were granted during one hub run (the hub's
 * onDeviceSubscribed hook, called once aedes has added them), so a downlink publish can wait
 * for its subscriber.
 */
class SubscriptionWatch implements HubModule {
  readonly name = 'test-subscription-watch';
  readonly #filters = new Set<string>();
  /** pending `until` calls: each checks its topic, or gives up when forced (hub closing) */
  readonly #waiters = new Set<(force: boolean) => void>();
  start(): void {}
  onDeviceSubscribed(_deviceId: string, topics: readonly string[]): void {
    for (const t of topics) this.#filters.add(t);
    for (const w of this.#waiters) w(false);
  }
  close(): void {
    for (const w of this.#waiters) w(true);
  }
  has(topic: string): boolean {
    for (const f of this.#filters) if (topicMatches(f, topic)) return true;
    return false;
  }
  /** Resolves once some device subscribed to a filter matching `topic`, or after the guard. */
  until(topic: string): Promise<void> {
    if (this.has(topic)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = (force: boolean) => {
        if (!force && !this.has(topic)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => waiter(true), SUBSCRIBE_GUARD_MS);
      this.#waiters.add(waiter);
    });
  }
}

/**
 * The real hub as the broker of the edge scenarios (`runEdgeScenarios`): createHub with the
 * standard modules (incidents, rules, broadcast, check-ins) as `npm start` runs it, on a fixed
 * loopback port and data dir, so stop/restart is a hub shutdown and a new hub on the same data —
 * what a hub restart is in the field.
 *
 * The hub does not forward upstream messages to subscribers, so `observe()` reads what the hub
 * ACCEPTED: its durable inbox (one row per device and message id — the idempotency the edge
 * relies on), and only rows at or below the processed watermark, i.e. already handed to the
 * telemetry store and the modules. Any message the hub rejected (dead letter) fails the wait in
 * progress and, at the end, `close()`.
 */
export async function startHubScenarioBroker(): Promise<ScenarioBroker> {
  // Fresh module instances for every hub run, as a restarted hub process would have.
  let subs = new SubscriptionWatch();
  let current: TestHub | undefined = await startTestHub({
    modules: [...createStandardModules().list, subs],
  });
  const dataDir = current.dataDir;
  const url = current.mqttUrl;
  const mqttPort = Number(new URL(url).port);
  const observers = new Set<HubObserver>();

  const running = (what: string): Hub => {
    if (!current) throw new Error(`hub scenario broker: ${what} needs the hub running (it is stopped)`);
    return current.hub;
  };
  const stop = async () => {
    const t = current;
    if (!t) return;
    for (const o of observers) o.refresh(); // last look before the hub's database closes
    current = undefined;
    await t.close({ keepData: true });
  };
  const start = async () => {
    // The registry is already in state.db: importing SMALL_LEAGUE again would reset the secrets
    // that provision() gave to its devices.
    subs = new SubscriptionWatch();
    current = await startTestHub({
      dataDir,
      mqttPort,
      registry: undefined,
      modules: [...createStandardModules().list, subs],
    });
  };

  return {
    url,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      const problems: string[] = [];
      for (const o of [...observers]) {
        try {
          await o.close();
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      await current?.close();
      current = undefined;
      if (problems.length > 0) throw new Error(problems.join('\n'));
    },
    async provision({ deviceId, secret, units }) {
      const hub = running('provision');
      const existing = hub.registry.getDevice(deviceId);
      const covers = (unit: string | undefined) => {
        const chain = new Set(unit ? hub.registry.unitChain(unit).map((u) => u.id) : []);
        return units.every((u) => chain.has(u));
      };
      const kind: DeviceKind = existing?.kind ?? kindOf(deviceId);
      let owner: { household: string } | { team: string } | undefined;
      if (existing?.household) owner = { household: existing.household };
      else if (existing?.team) owner = { team: existing.team };
      else if (kind === 'tracker') {
        const team = SMALL_LEAGUE.teams.find((t) => covers(t.unit));
        owner = team && { team: team.id };
      } else {
        const hh = SMALL_LEAGUE.households.find((h) => covers(h.grid));
        owner = hh && { household: hh.id };
      }
      if (!owner)
        throw new Error(`provision ${deviceId}: no household or team in SMALL_LEAGUE lies in ${units}`);
      const r = await hub.registry.importDocument(
        registryDocumentSchema.parse({ devices: [{ id: deviceId, kind, ...owner, secret }] }),
      );
      if (!r.ok) throw new Error(`provision ${deviceId}: ${JSON.stringify(r.errors)}`);
      const chain = new Set(hub.registry.deviceUnitChain(deviceId));
      const missing = units.filter((u) => !chain.has(u));
      if (missing.length > 0)
        throw new Error(`provision ${deviceId}: the registry puts it outside ${missing}`);
    },
    async observe() {
      // In-process, the hub's publish does not queue behind the SUBSCRIBE a box sent as it came
      // online (as a publishing client's PUBLISH does at mosquitto), so it waits for the grant.
      const publish = async (topic: string, payload: unknown) => {
        await subs.until(topic);
        await running('publish').publisher.publish(topic, Buffer.from(JSON.stringify(payload)), { qos: 1 });
      };
      const o = new HubObserver(() => current?.hub, publish);
      o.refresh();
      observers.add(o);
      o.onClose = () => observers.delete(o);
      return o;
    },
  };
}

const kindOf = (deviceId: string): DeviceKind =>
  deviceId.startsWith('trk-') ? 'tracker' : deviceId.startsWith('col-') ? 'collar-relay' : 'settop';

/** Reads the hub's inbox (processed rows) and dead letters incrementally, across hub restarts. */
class HubObserver implements UpstreamObserver {
  readonly #byKind = new Map<string, Seen[]>();
  readonly #ids = new Set<string>();
  readonly #rejected: string[] = [];
  #afterSeq = 0;
  #afterDead = 0;
  #timers = new Set<ReturnType<typeof setInterval>>();
  #stmts: { hub: Hub; rows: Statement; dead: Statement } | undefined;
  onClose: () => void = () => {};

  constructor(
    private readonly hub: () => Hub | undefined,
    private readonly publishDown: (topic: string, payload: unknown) => Promise<void>,
  ) {}

  /** Takes in inbox rows the hub has processed since the last look, and new dead letters. */
  refresh(): void {
    const hub = this.hub();
    if (hub?.state !== 'running') return;
    if (this.#stmts?.hub !== hub) {
      this.#stmts = {
        hub,
        rows: hub.db.prepare(
          'SELECT seq, sender, msg_id AS msgId, kind, payload FROM inbox WHERE seq > ? AND seq <= ? ORDER BY seq',
        ),
        dead: hub.db.prepare('SELECT id, topic, reason, detail FROM dead_letters WHERE id > ? ORDER BY id'),
      };
    }
    // the embedded hub's inbox is the SQLite adapter: it answers synchronously
    const watermark = hub.ingest.inbox.processedSeq() as number;
    const rows = this.#stmts.rows.all(this.#afterSeq, watermark) as {
      seq: number;
      sender: string;
      msgId: string;
      kind: string;
      payload: Buffer;
    }[];
    for (const r of rows) {
      this.#afterSeq = r.seq;
      if (r.sender.startsWith('worker/')) continue;
      const key = `${r.sender}\u0000${r.msgId}`;
      // The inbox's unique (msg_id, sender) index makes this impossible; a second row would be a hub bug.
      if (this.#ids.has(key)) throw new Error(`hub inbox holds ${r.msgId} of ${r.sender} twice`);
      this.#ids.add(key);
      const d = decode(r.kind as UpKind, r.payload);
      if (!d.ok) throw new Error(`hub inbox row ${r.seq} does not decode: ${d.error.message}`);
      const list = this.#byKind.get(r.kind) ?? [];
      list.push({ deviceId: r.sender, msg: d.value as Record<string, unknown>, order: r.seq });
      this.#byKind.set(r.kind, list);
    }
    for (const d of this.#stmts.dead.all(this.#afterDead) as {
      id: number;
      topic: string;
      reason: string;
      detail: string;
    }[]) {
      this.#afterDead = d.id;
      this.#rejected.push(`${d.reason} on ${d.topic}: ${d.detail}`);
    }
  }

  ofKind(kind: UpKind): Seen[] {
    this.refresh();
    return [...(this.#byKind.get(kind) ?? [])];
  }

  /** Polls the inbox until `predicate` holds; fails at once when the hub rejects a message meanwhile. */
  waitFor(predicate: () => boolean, what: string, guardMs = 60_000): Promise<void> {
    this.refresh();
    const rejectedBefore = this.#rejected.length;
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        let ok: boolean;
        try {
          this.refresh();
          if (this.#rejected.length > rejectedBefore) {
            throw new Error(
              `hub rejected a message while waiting for ${what}: ${this.#rejected.slice(rejectedBefore).join('; ')}`,
            );
          }
          ok = predicate();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (ok) {
          done();
          resolve();
        } else if (Date.now() - started > guardMs) {
          done();
          reject(
            new Error(
              `hub observer: gave up waiting for ${what} after ${guardMs} ms (${this.#ids.size} messages processed so far)`,
            ),
          );
        }
      }, POLL_MS);
      const done = () => {
        clearInterval(timer);
        this.#timers.delete(timer);
      };
      this.#timers.add(timer);
    });
  }

  publish(topic: string, payload: unknown): Promise<void> {
    return this.publishDown(topic, payload);
  }

  async storedPositions(deviceId: string): Promise<{ t: number; lat: number; lon: number }[]> {
    const hub = this.hub();
    if (!hub) throw new Error('hub observer: storedPositions needs the hub running');
    return hub.telemetry.track({ deviceId, from: 0, to: Number.MAX_SAFE_INTEGER });
  }

  /** Stops polling; throws when the hub rejected anything during the run (the scenarios send only valid messages). */
  async close(): Promise<void> {
    this.refresh();
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    this.onClose();
    if (this.#rejected.length > 0) {
      throw new Error(`the hub rejected ${this.#rejected.length} message(s): ${this.#rejected.join('; ')}`);
    }
  }
}
