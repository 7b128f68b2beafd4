import { type DeviceConfig, downWildcard, type MessageInputOf, type UpKind } from '@steppelink/protocols';
import { type AgentParts, buildParts } from './agent-parts.ts';
import type { AgentEvents, AgentOptions, AgentState, AgentStats, CloseReport } from './agent-types.ts';
import { systemClock, systemTimers, type TimerHandle, TimeSource, type Timers } from './clock.ts';
import { handleDownlink } from './downlink.ts';
import { toEntry } from './entries.ts';
import { TypedEmitter } from './events.ts';
import { heartbeatMessage } from './heartbeat.ts';
import { createIdFactory } from './ids.ts';
import type { InputAdapter, InputSink } from './inputs/port.ts';
import { errorMessage, type Logger, silentLogger } from './logger.ts';
import type { NoticeBoard, ReadOutcome, ShownNotice } from './notices.ts';
import { type NewEntry, type OutboxStore, priorityOf } from './outbox/port.ts';
import { type StorageState, StorageRefusedError } from './outbox/storage.ts';
import { type AgentSettings, loadRuntime, resolveSettings, runtimePatch, saveRuntime } from './settings.ts';
import { shortMessageKey } from '@steppelink/protocols/short-message';
import { SosLadder } from './short-message/ladder.ts';
import type { SosController } from './sos.ts';
import { SosTalk } from './sos-talk.ts';

export type { AgentEvents, AgentOptions, AgentState, AgentStats, CloseReport } from './agent-types.ts';

/** Builds an edge agent. Nothing runs until start(); close() stops everything it started. */
export function createAgent(options: AgentOptions): EdgeAgent {
  return new EdgeAgent(options);
}

/**
 * One device: inputs → durable outbox → MQTT session, downlink → notice page and SOS status.
 * Injected: outbox store, clock, timers, random, connection factory, logger, input adapters.
 */
export class EdgeAgent extends TypedEmitter<AgentEvents> {
  readonly deviceId: string;
  readonly sos: SosController;
  readonly notices: NoticeBoard;
  /** Two-way messages during an SOS: the household's replies and responders' texts. */
  readonly talk: SosTalk;
  readonly input: InputSink;
  readonly time: TimeSource;
  #state: AgentState = 'idle';
  readonly #o: AgentOptions;
  /** SOS over SMS and BeiDou when MQTT cannot get it through (absent without those paths). */
  #ladder: SosLadder | undefined;
  readonly #settings: AgentSettings;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #store: OutboxStore;
  readonly #p: AgentParts;
  readonly #units: Set<string>;
  readonly #nextId: () => string;
  readonly #startedAt: number;
  #hbTimer: TimerHandle | undefined;
  #storageTimer: TimerHandle | undefined;
  #storageState: StorageState = 'ok';
  #storageReserve = '';
  #checkingStorage = false;
  #rejectedDownlink = 0;
  #startedInputs: InputAdapter[] = [];

  constructor(o: AgentOptions) {
    super();
    downWildcard(o.deviceId); // throws a clear error for an invalid device id
    this.#o = o;
    this.deviceId = o.deviceId;
    this.#log = o.logger ?? silentLogger;
    this.setListenerErrorHandler((event, error) =>
      this.#log.error('listener.failed', { event, error: errorMessage(error) }),
    );
    this.#timers = o.timers ?? systemTimers;
    this.#store = o.store;
    const clock = o.clock ?? systemClock;
    this.time = new TimeSource(clock);
    this.#startedAt = clock.now();
    this.#settings = { ...resolveSettings(o.settings), ...loadRuntime(o.store) };
    this.#nextId = createIdFactory(() => this.time.now());
    this.#units = new Set(o.units ?? []);
    this.#p = buildParts({
      o,
      settings: this.#settings,
      clock,
      timers: this.#timers,
      time: this.time,
      log: this.#log,
      nextId: this.#nextId,
      units: this.#units,
      submitSos: (m) => this.submit('sos', m),
      reply: (r) => this.talk.reply(r),
      onSealed: (entry, evicted) => this.#accepted(entry, evicted),
      onStaged: (stream, item) => this.emit('staged', { stream, item }),
      onReject: (source, reason) => this.emit('rejected', { source, reason }),
    });
    this.sos = this.#p.sos;
    const short = o.shortMessage;
    if (short && short.transports.length > 0) {
      this.#ladder = new SosLadder({
        deviceId: o.deviceId,
        key: shortMessageKey(o.secret),
        transports: short.transports,
        sos: this.sos,
        timers: this.#timers,
        now: () => this.time.now(),
        linkUp: () => this.#p.link.state === 'online',
        position: () => this.#p.counters.lastFix,
        category: () => this.sos.status().category ?? 'unknown',
        ...(o.power ? { power: o.power } : {}),
        ...(short.timings ? { timings: short.timings } : {}),
        log: this.#log,
      });
    }
    this.notices = this.#p.notices;
    this.talk = new SosTalk({
      sosId: () => this.sos.status().raiseIds[0],
      active: () => !['idle', 'closed', 'cancelling'].includes(this.sos.status().state),
      incidentId: () => this.sos.status().incidentId,
      submit: (m) => this.submit('sos-reply', m),
      nextId: this.#nextId,
      now: () => this.time.now(),
    });
    this.input = this.#p.sink;
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
    this.#p.batcher.start();
    for (const input of this.#o.inputs ?? []) {
      try {
        await input.start(this.input);
        this.#startedInputs.push(input);
      } catch (error) {
        this.#log.error('input.start_failed', { input: input.name, error: errorMessage(error) });
        this.emit('rejected', { source: input.name, reason: `could not start: ${errorMessage(error)}` });
      }
    }
    for (const t of this.#o.shortMessage?.transports ?? []) {
      try {
        await t.start(); // a modem that does not answer leaves its path unavailable, not the agent down
      } catch (error) {
        this.#log.error('short_message.start_failed', { path: t.path, error: errorMessage(error) });
      }
    }
    this.#checkStorage();
    this.heartbeat();
    this.#p.link.start();
    this.#setState('running');
  }

  async close(): Promise<CloseReport> {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#report();
    this.#setState('closing');
    this.#timers.clearTimeout(this.#hbTimer);
    this.#timers.clearTimeout(this.#storageTimer);
    for (const input of this.#startedInputs.splice(0).reverse()) {
      try {
        await input.close();
      } catch (error) {
        this.#log.warn('input.close_failed', { input: input.name, error: errorMessage(error) });
      }
    }
    this.#p.batcher.close();
    this.#ladder?.close();
    for (const t of this.#o.shortMessage?.transports ?? []) await t.close().catch(() => undefined);
    this.sos.close();
    await this.#p.link.close();
    this.#p.publisher.close();
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
    let evicted: number;
    try {
      evicted = this.#store.put(entry).evicted;
    } catch (error) {
      if (!(error instanceof StorageRefusedError))
        this.#log.error('outbox.write_failed', { kind, error: errorMessage(error) });
      this.#checkStorage();
      return new Error(`could not write to the outbox: ${errorMessage(error)}`);
    }
    this.#accepted(entry, evicted);
    return undefined;
  }

  /** Queues a heartbeat now (also done every hbIntervalS). */
  heartbeat(): void {
    this.#timers.clearTimeout(this.#hbTimer);
    this.#hbTimer = this.#timers.setTimeout(() => this.heartbeat(), this.#settings.hbIntervalS * 1000);
    const st = this.#store.stats();
    const storage = this.#store.storage();
    const offset = this.time.offsetMs();
    const rssi = this.#o.rssi?.();
    this.submit(
      'hb',
      heartbeatMessage({
        id: this.#nextId(),
        ts: this.time.now(),
        uptimeMs: this.time.localNow() - this.#startedAt,
        power: this.#o.power?.() ?? { source: 'mains' },
        outbox: st.count,
        evicted: st.evicted,
        ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
        ...(storage.state !== 'ok' || storage.refused > 0
          ? { storage: storage.state, refused: storage.refused }
          : {}),
        ...(rssi !== undefined ? { rssi } : {}),
        ...(this.#o.fw ? { fw: this.#o.fw } : {}),
      }),
    );
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
    const p = this.#p.publisher.stats();
    return {
      state: this.#state,
      link: this.#p.link.state,
      url: this.#p.link.url,
      outbox: this.#store.stats(),
      storage: this.#store.storage(),
      ...p,
      clockOffsetMs: this.time.offsetMs(),
      inputs: { ...this.#p.counters },
      receivers: Object.fromEntries(
        this.#startedInputs.flatMap((i) => (i.health ? [[i.name, i.health()]] : [])),
      ),
      rejectedDownlink: this.#rejectedDownlink,
      batchDropped: this.#p.batcher.dropped,
      ...(this.#o.shortMessage
        ? { shortMessage: this.#o.shortMessage.transports.map((t) => t.health()) }
        : {}),
    };
  }

  #wire(): void {
    const { link, publisher } = this.#p;
    link.on('state', ({ state }) => this.emit('link', { state, url: link.url }));
    link.on('online', () => publisher.online());
    link.on('offline', () => publisher.offline());
    link.on('message', ({ topic, payload }) =>
      handleDownlink(topic, payload, this.deviceId, this.#units, {
        notice: (n) => {
          const outcome = this.notices.receive(n);
          if (outcome === 'new') this.#receipt(n.noticeId, 'delivered');
          this.emit('notice', { noticeId: n.noticeId, outcome });
        },
        sosAck: (a) => this.sos.onSosAck(a),
        sosMsg: (m) => {
          const fresh = this.talk.receive(m);
          if (fresh) this.emit('sosMsg', { messageId: m.id, incidentId: m.incidentId });
        },
        config: (c) => this.#onConfig(c),
        reject: (reason, detail) => {
          this.#rejectedDownlink++;
          this.#log.warn('downlink.rejected', { topic, reason, detail });
          this.emit('rejected', { source: 'downlink', reason });
        },
      }),
    );
    publisher.on('drained', ({ messages }) => {
      this.#log.info('outbox.drained', { messages });
      // After a large backlog, dead payload Buffers hold native memory until a full GC, which an
      // idle process may not run for hours. With --expose-gc (DEVICE_NODE_FLAGS) run one now.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (typeof gc === 'function') gc();
    });
    publisher.on('acked', (a) => {
      if (a.kind === 'sos') this.sos.onAcked(a.msgId);
      if (a.kind === 'sos-reply') this.talk.onAcked(a.msgId);
      this.emit('acked', a);
    });
    this.sos.on('status', (st) => this.emit('sos', st));
  }

  #accepted(entry: NewEntry, evicted: number): void {
    this.#log.debug('outbox.accepted', { kind: entry.kind, msgId: entry.msgId });
    this.emit('accepted', { kind: entry.kind, msgId: entry.msgId, evicted });
    if (evicted > 0) {
      const total = this.#store.stats().evicted;
      this.#log.warn('outbox.evicted', { count: evicted, total });
      this.emit('evicted', { count: evicted, total });
    }
    this.#p.publisher.kick(priorityOf(entry.kind));
  }

  /**
   * Watches the outbox storage: while it is full or failing, probes for room every
   * storageProbeMs; logs each change, emits `storage` and sends a heartbeat saying so.
   */
  #checkStorage(): void {
    if (this.#checkingStorage) return;
    this.#checkingStorage = true;
    try {
      this.#timers.clearTimeout(this.#storageTimer);
      if (this.#state !== 'closing' && this.#state !== 'closed')
        this.#storageTimer = this.#timers.setTimeout(
          () => this.#checkStorage(),
          this.#settings.storageProbeMs,
        );
      let status = this.#store.storage();
      if (status.state !== 'ok') {
        try {
          this.#store.probe();
        } catch (error) {
          this.#log.error('outbox.probe_failed', { error: errorMessage(error) });
        }
        status = this.#store.storage();
      }
      const reserveReleased = status.reserve === 'released' && this.#storageReserve === 'held';
      this.#storageReserve = status.reserve;
      if (status.state === this.#storageState) {
        // An SOS or receipt took the reserved room: that room now carries the heartbeat saying so.
        if (reserveReleased && this.#state === 'running') this.heartbeat();
        return;
      }
      const was = this.#storageState;
      this.#storageState = status.state;
      if (status.state === 'ok') this.#log.info('outbox.storage_recovered', { was, ...status });
      else this.#log.error('outbox.storage_degraded', { ...status });
      this.emit('storage', status);
      if (this.#state === 'running' || this.#state === 'starting') this.heartbeat();
    } finally {
      this.#checkingStorage = false;
    }
  }

  #receipt(noticeId: string, state: 'delivered' | 'read'): void {
    this.submit('receipt', { v: 1, id: this.#nextId(), ts: this.time.now(), noticeId, state });
  }

  #onConfig(c: DeviceConfig): void {
    const patch = runtimePatch(c);
    Object.assign(this.#settings, patch);
    try {
      saveRuntime(this.#store, patch);
    } catch (error) {
      this.#log.warn('config.not_saved', { error: errorMessage(error) }); // applied, kept until restart
    }
    if (patch.byteBudgetPerMin !== undefined) this.#p.budget.setBytesPerMin(patch.byteBudgetPerMin);
    if (patch.hbIntervalS !== undefined && this.#state === 'running') this.heartbeat();
    this.#log.info('config.applied', { ...patch });
    const { hbIntervalS, posIntervalS, byteBudgetPerMin, lang } = this.#settings;
    this.emit('config', { hbIntervalS, posIntervalS, byteBudgetPerMin, lang });
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
