import {
  type DeviceConfig,
  downWildcard,
  type MessageInputOf,
  type PowerSource,
  type UpKind,
  unitNoticeTopic,
} from '@steppelink/protocols';
import { Batcher } from './batcher.ts';
import { ByteBudget } from './budget.ts';
import { type Clock, systemClock, systemTimers, type TimerHandle, TimeSource, type Timers } from './clock.ts';
import { AGENT_VERSION } from './defaults.ts';
import { handleDownlink } from './downlink.ts';
import { grazingBatchSpec, posBatchSpec, toEntry } from './entries.ts';
import { TypedEmitter } from './events.ts';
import { createIdFactory } from './ids.ts';
import { createSink, type SinkCounters } from './inputs/sink.ts';
import type { InputAdapter, InputSink } from './inputs/port.ts';
import type { ConnectionFactory } from './link/port.ts';
import { mqttConnectionFactory } from './link/mqtt.ts';
import { type LinkState, LinkSupervisor } from './link/supervisor.ts';
import { errorMessage, type Logger, silentLogger } from './logger.ts';
import { NoticeBoard, type ReadOutcome, type ReceiveOutcome, type ShownNotice } from './notices.ts';
import { type NewEntry, type OutboxStats, type OutboxStore, priorityOf } from './outbox/port.ts';
import { Publisher } from './publisher.ts';
import {
  type AgentSettings,
  type RuntimeSettings,
  resolveSettings,
  runtimePatch,
  savedRuntimeSchema,
} from './settings.ts';
import { SosController, type SosStatus } from './sos.ts';

export type AgentState = 'idle' | 'starting' | 'running' | 'closing' | 'closed';

export interface AgentEvents extends Record<string, unknown> {
  state: AgentState;
  link: { state: LinkState; url: string };
  /** A message was written to the outbox. */
  accepted: { kind: UpKind; msgId: string; evicted: number };
  /** An input item was staged durably for a batch. */
  staged: { stream: string; item: string };
  /** The broker acknowledged a message; it leaves the outbox. */
  acked: { kind: UpKind; msgId: string; seq: number };
  evicted: { count: number; total: number };
  sos: SosStatus;
  notice: { noticeId: string; outcome: ReceiveOutcome };
  config: RuntimeSettings;
  rejected: { source: string; reason: string };
}

export interface AgentOptions {
  deviceId: string;
  secret: string;
  /** Hub URLs in failover order, e.g. `mqtt://hub.bayannur.example:1883`. */
  hubUrls: readonly string[];
  /** Administrative units whose notices this device receives (league → banner → sumu → gacha → grid). */
  units?: readonly string[];
  store: OutboxStore;
  settings?: Partial<AgentSettings>;
  inputs?: readonly InputAdapter[];
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  connect?: ConnectionFactory;
  logger?: Logger;
  power?: () => { source: PowerSource; battery?: number };
  rssi?: () => number | undefined;
  fw?: string;
}

export interface AgentStats {
  state: AgentState;
  link: LinkState;
  url: string;
  outbox: OutboxStats;
  inflight: number;
  sent: number;
  acked: number;
  clockOffsetMs: number | undefined;
  inputs: SinkCounters;
  rejectedDownlink: number;
  batchDropped: number;
}

export interface CloseReport {
  /** Messages still in the outbox (they go out after the next start). */
  unsent: number;
  /** Input items staged but not yet batched (sealed after the next start). */
  staged: number;
  /** Telemetry evicted since start. */
  evicted: number;
}

/** Builds an edge agent. Nothing runs until start(); close() stops everything it started. */
export function createAgent(options: AgentOptions): EdgeAgent {
  return new EdgeAgent(options);
}

export class EdgeAgent extends TypedEmitter<AgentEvents> {
  readonly deviceId: string;
  readonly sos: SosController;
  readonly notices: NoticeBoard;
  readonly input: InputSink;
  readonly time: TimeSource;
  #state: AgentState = 'idle';
  readonly #o: AgentOptions;
  readonly #settings: AgentSettings;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #store: OutboxStore;
  readonly #link: LinkSupervisor;
  readonly #publisher: Publisher;
  readonly #budget: ByteBudget;
  readonly #batcher: Batcher;
  readonly #counters: SinkCounters;
  readonly #units: Set<string>;
  readonly #nextId: () => string;
  readonly #startedAt: number;
  #hbTimer: TimerHandle | undefined;
  #rejectedDownlink = 0;
  #startedInputs: InputAdapter[] = [];

  constructor(o: AgentOptions) {
    super();
    this.#o = o;
    this.deviceId = o.deviceId;
    downWildcard(o.deviceId); // throws a clear error for an invalid device id
    this.#log = o.logger ?? silentLogger;
    this.setListenerErrorHandler((event, error) =>
      this.#log.error('listener.failed', { event, error: errorMessage(error) }),
    );
    this.#timers = o.timers ?? systemTimers;
    this.#store = o.store;
    const clock = o.clock ?? systemClock;
    this.time = new TimeSource(clock);
    this.#startedAt = clock.now();
    this.#settings = resolveSettings(o.settings);
    this.#applyRuntime(this.#loadRuntime(), false);
    this.#nextId = createIdFactory(() => this.time.now());
    this.#units = new Set(o.units ?? []);
    this.#budget = new ByteBudget(clock, this.#settings.byteBudgetPerMin);
    this.#link = new LinkSupervisor({
      urls: o.hubUrls,
      deviceId: o.deviceId,
      secret: o.secret,
      connect: o.connect ?? mqttConnectionFactory,
      timers: this.#timers,
      random: o.random ?? Math.random,
      logger: this.#log,
      subscriptions: [downWildcard(o.deviceId), ...[...this.#units].map(unitNoticeTopic)],
      reconnectInitialMs: this.#settings.reconnectInitialMs,
      reconnectMaxMs: this.#settings.reconnectMaxMs,
      connectTimeoutMs: this.#settings.connectTimeoutMs,
      keepaliveS: this.#settings.keepaliveS,
    });
    this.#publisher = new Publisher({
      store: this.#store,
      target: this.#link,
      budget: this.#budget,
      timers: this.#timers,
      logger: this.#log,
      maxInflight: this.#settings.maxInflight,
    });
    const ctx = { deviceId: o.deviceId, nextId: this.#nextId, now: () => this.time.now() };
    const s = this.#settings;
    this.#batcher = new Batcher({
      store: this.#store,
      clock,
      timers: this.#timers,
      logger: this.#log,
      specs: {
        pos: posBatchSpec(ctx, s.posBatchMaxFixes, s.posBatchMaxAgeS * 1000),
        grazing: grazingBatchSpec(ctx, s.grazingBatchMaxReadings, s.grazingBatchMaxAgeS * 1000),
      },
      onSealed: (entry, r) => this.#accepted(entry, r.evicted),
    });
    this.sos = new SosController({
      now: () => this.time.now(),
      timers: this.#timers,
      nextId: this.#nextId,
      submit: (m) => this.submit('sos', m),
      position: () => this.#lastPosition(),
      power: () => o.power?.(),
      load: () => this.#store.getMeta('sos'),
      save: (j) => this.#store.setMeta('sos', j),
      cancelConfirmMs: s.sosCancelConfirmMs,
      repressMinMs: s.sosRepressMinMs,
    });
    this.sos.on('status', (st) => this.emit('sos', st));
    this.notices = new NoticeBoard({
      now: () => this.time.now(),
      load: () => this.#store.getMeta('notices'),
      save: (j) => this.#store.setMeta('notices', j),
    });
    const sink = createSink({
      sos: this.sos,
      batcher: this.#batcher,
      time: this.time,
      posIntervalMs: () => this.#settings.posIntervalS * 1000,
      logger: this.#log,
      onStaged: (stream, item) => this.emit('staged', { stream, item }),
      onReject: (source, reason) => this.emit('rejected', { source, reason }),
    });
    this.input = sink.sink;
    this.#counters = sink.counters;
    this.#wire();
  }

  get state(): AgentState {
    return this.#state;
  }

  get settings(): Readonly<AgentSettings> {
    return this.#settings;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new Error(`Agent ${this.deviceId} cannot start from state ${this.#state}.`);
    this.#setState('starting');
    this.#batcher.start();
    for (const input of this.#o.inputs ?? []) {
      try {
        await input.start(this.input);
        this.#startedInputs.push(input);
      } catch (error) {
        this.#log.error('input.start_failed', { input: input.name, error: errorMessage(error) });
        this.emit('rejected', { source: input.name, reason: `could not start: ${errorMessage(error)}` });
      }
    }
    this.heartbeat();
    this.#link.start();
    this.#setState('running');
  }

  async close(): Promise<CloseReport> {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#report();
    this.#setState('closing');
    this.#timers.clearTimeout(this.#hbTimer);
    for (const input of this.#startedInputs.splice(0).reverse()) {
      try {
        await input.close();
      } catch (error) {
        this.#log.warn('input.close_failed', { input: input.name, error: errorMessage(error) });
      }
    }
    this.#batcher.close();
    this.sos.close();
    await this.#link.close();
    this.#publisher.close();
    const report = this.#report();
    this.#setState('closed');
    this.#log.info('agent.closed', { ...report });
    return report;
  }

  /** Validates, encodes and durably queues one message; an Error (not a throw) if it is invalid. */
  submit<K extends UpKind>(kind: K, message: MessageInputOf<K> & { id: string }): Error | undefined {
    const entry = toEntry(this.deviceId, kind, message, this.time.localNow());
    if (entry instanceof Error) {
      this.#log.error('message.invalid', { kind, error: entry.message });
      return entry;
    }
    try {
      const r = this.#store.put(entry);
      this.#accepted(entry, r.evicted);
      return undefined;
    } catch (error) {
      this.#log.error('outbox.write_failed', { kind, error: errorMessage(error) });
      return new Error(`could not write to the outbox: ${errorMessage(error)}`);
    }
  }

  /** Queues a heartbeat now (also done every hbIntervalS). */
  heartbeat(): void {
    this.#timers.clearTimeout(this.#hbTimer);
    this.#hbTimer = this.#timers.setTimeout(() => this.heartbeat(), this.#settings.hbIntervalS * 1000);
    const power = this.#o.power?.() ?? { source: 'mains' as const };
    const st = this.#store.stats();
    const offset = this.time.offsetMs();
    const rssi = this.#o.rssi?.();
    this.submit('hb', {
      v: 1,
      id: this.#nextId(),
      ts: this.time.now(),
      agent: AGENT_VERSION,
      ...(this.#o.fw ? { fw: this.#o.fw } : {}),
      uptimeS: Math.max(0, Math.floor((this.time.localNow() - this.#startedAt) / 1000)),
      power: power.source,
      ...(power.battery !== undefined ? { battery: power.battery } : {}),
      ...(rssi !== undefined ? { rssi } : {}),
      outbox: st.count,
      evicted: st.evicted,
      ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
    });
  }

  /** Marks a notice as viewed on screen; sends a `read` receipt the first time. */
  markNoticeRead(noticeId: string): ReadOutcome {
    const outcome = this.notices.markRead(noticeId);
    if (outcome === 'read') this.#receipt(noticeId, 'read');
    return outcome;
  }

  activeNotices(): ShownNotice[] {
    return this.notices.active();
  }

  stats(): AgentStats {
    const p = this.#publisher.stats();
    return {
      state: this.#state,
      link: this.#link.state,
      url: this.#link.url,
      outbox: this.#store.stats(),
      inflight: p.inflight,
      sent: p.sent,
      acked: p.acked,
      clockOffsetMs: this.time.offsetMs(),
      inputs: { ...this.#counters },
      rejectedDownlink: this.#rejectedDownlink,
      batchDropped: this.#batcher.dropped,
    };
  }

  #wire(): void {
    this.#link.on('state', ({ state }) => this.emit('link', { state, url: this.#link.url }));
    this.#link.on('online', () => this.#publisher.online());
    this.#link.on('offline', () => this.#publisher.offline());
    this.#link.on('message', ({ topic, payload }) =>
      handleDownlink(topic, payload, this.deviceId, this.#units, {
        notice: (n) => {
          const outcome = this.notices.receive(n);
          if (outcome === 'new') this.#receipt(n.noticeId, 'delivered');
          this.emit('notice', { noticeId: n.noticeId, outcome });
        },
        sosAck: (a) => this.sos.onSosAck(a),
        config: (c) => this.#onConfig(c),
        reject: (reason, detail) => {
          this.#rejectedDownlink++;
          this.#log.warn('downlink.rejected', { topic, reason, detail });
          this.emit('rejected', { source: 'downlink', reason });
        },
      }),
    );
    this.#publisher.on('drained', ({ messages }) => {
      this.#log.info('outbox.drained', { messages });
      // After a large backlog, dead payload Buffers hold native memory until a full GC, which an
      // idle process may not run for hours. With --expose-gc (DEVICE_NODE_FLAGS) run one now.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (typeof gc === 'function') gc();
    });
    this.#publisher.on('acked', (a) => {
      if (a.kind === 'sos') this.sos.onAcked(a.msgId);
      this.emit('acked', a);
    });
  }

  #accepted(entry: NewEntry, evicted: number): void {
    this.#log.debug('outbox.accepted', { kind: entry.kind, msgId: entry.msgId });
    this.emit('accepted', { kind: entry.kind, msgId: entry.msgId, evicted });
    if (evicted > 0) {
      const total = this.#store.stats().evicted;
      this.#log.warn('outbox.evicted', { count: evicted, total });
      this.emit('evicted', { count: evicted, total });
    }
    this.#publisher.kick(priorityOf(entry.kind));
  }

  #receipt(noticeId: string, state: 'delivered' | 'read'): void {
    this.submit('receipt', { v: 1, id: this.#nextId(), ts: this.time.now(), noticeId, state });
  }

  #onConfig(c: DeviceConfig): void {
    const patch = runtimePatch(c);
    this.#applyRuntime(patch, true);
    this.#log.info('config.applied', { ...patch });
  }

  #loadRuntime(): Partial<RuntimeSettings> {
    let raw: unknown;
    try {
      raw = JSON.parse(this.#store.getMeta('config') ?? '{}');
    } catch {
      return {};
    }
    const parsed = savedRuntimeSchema.safeParse(raw);
    return parsed.success ? parsed.data : {};
  }

  #applyRuntime(patch: Partial<RuntimeSettings>, persist: boolean): void {
    Object.assign(this.#settings, patch);
    if (!persist) return;
    const saved = { ...this.#loadRuntime(), ...patch };
    this.#store.setMeta('config', JSON.stringify(saved));
    if (patch.byteBudgetPerMin !== undefined) this.#budget.setBytesPerMin(patch.byteBudgetPerMin);
    if (patch.hbIntervalS !== undefined && this.#state === 'running') this.heartbeat();
    this.emit('config', {
      hbIntervalS: this.#settings.hbIntervalS,
      posIntervalS: this.#settings.posIntervalS,
      byteBudgetPerMin: this.#settings.byteBudgetPerMin,
      lang: this.#settings.lang,
    });
  }

  #lastPosition() {
    return this.#counters.lastFix
      ? { lat: this.#counters.lastFix.lat, lon: this.#counters.lastFix.lon }
      : undefined;
  }

  #report(): CloseReport {
    try {
      const st = this.#store.stats();
      return { unsent: st.count, staged: st.staged, evicted: st.evicted };
    } catch {
      return { unsent: -1, staged: -1, evicted: -1 };
    }
  }

  #setState(state: AgentState): void {
    this.#state = state;
    this.emit('state', state);
  }
}
