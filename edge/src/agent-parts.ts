import { downWildcard, type SosInput, unitNoticeTopic } from '@steppelink/protocols';
import type { AgentOptions } from './agent-types.ts';
import { Batcher } from './batcher.ts';
import { ByteBudget } from './budget.ts';
import type { Clock, TimeSource, Timers } from './clock.ts';
import { grazingBatchSpec, posBatchSpec } from './entries.ts';
import { createSink, type SinkCounters } from './inputs/sink.ts';
import type { InputSink } from './inputs/port.ts';
import { mqttConnectionFactory } from './link/mqtt.ts';
import { LinkSupervisor } from './link/supervisor.ts';
import { errorMessage, type Logger } from './logger.ts';
import { NoticeBoard } from './notices.ts';
import type { NewEntry } from './outbox/port.ts';
import { Publisher } from './publisher.ts';
import type { AgentSettings } from './settings.ts';
import { SosController } from './sos.ts';
import type { ReplyResult } from './sos-talk.ts';

export interface AgentParts {
  budget: ByteBudget;
  link: LinkSupervisor;
  publisher: Publisher;
  batcher: Batcher;
  sos: SosController;
  notices: NoticeBoard;
  sink: InputSink;
  counters: SinkCounters;
}

export interface PartsContext {
  o: AgentOptions;
  settings: AgentSettings;
  clock: Clock;
  timers: Timers;
  time: TimeSource;
  log: Logger;
  nextId(): string;
  units: ReadonlySet<string>;
  /** Durably queues an SOS message (the agent's submit). */
  submitSos(message: SosInput & { id: string }): Error | undefined;
  /** The household's reply during its SOS (the agent's SosTalk, built after the parts). */
  reply(r: { canned?: string; text?: string }): ReplyResult;
  /** A batch was sealed into the outbox. */
  onSealed(entry: NewEntry, evicted: number): void;
  onStaged(stream: string, item: string): void;
  onReject(source: string, reason: string): void;
}

/** Builds the agent's components from its options; wiring between them is the agent's job. */
export function buildParts(c: PartsContext): AgentParts {
  const { o, settings: s, timers, log } = c;
  const store = o.store;
  const budget = new ByteBudget(c.clock, s.byteBudgetPerMin);
  const link = new LinkSupervisor({
    urls: o.hubUrls,
    deviceId: o.deviceId,
    secret: o.secret,
    connect: o.connect ?? mqttConnectionFactory,
    timers,
    random: o.random ?? Math.random,
    logger: log,
    subscriptions: [downWildcard(o.deviceId), ...[...c.units].map(unitNoticeTopic)],
    reconnectInitialMs: s.reconnectInitialMs,
    reconnectMaxMs: s.reconnectMaxMs,
    connectTimeoutMs: s.connectTimeoutMs,
    keepaliveS: s.keepaliveS,
  });
  const publisher = new Publisher({
    store,
    target: link,
    budget,
    timers,
    logger: log,
    maxInflight: s.maxInflight,
  });
  const ctx = { deviceId: o.deviceId, nextId: c.nextId, now: () => c.time.now() };
  const batcher = new Batcher({
    store,
    clock: c.clock,
    timers,
    logger: log,
    specs: {
      pos: posBatchSpec(ctx, s.posBatchMaxFixes, s.posBatchMaxAgeS * 1000),
      grazing: grazingBatchSpec(ctx, s.grazingBatchMaxReadings, s.grazingBatchMaxAgeS * 1000),
    },
    onSealed: (entry, r) => c.onSealed(entry, r.evicted),
  });
  let counters: SinkCounters | undefined;
  const sos = new SosController({
    now: () => c.time.now(),
    timers,
    nextId: c.nextId,
    submit: c.submitSos,
    position: () =>
      counters?.lastFix ? { lat: counters.lastFix.lat, lon: counters.lastFix.lon } : undefined,
    power: () => o.power?.(),
    load: () => store.getMeta('sos'),
    save: (j) => store.setMeta('sos', j),
    onSaveError: (error) => log.warn('sos.status_not_saved', { error: errorMessage(error) }),
    cancelConfirmMs: s.sosCancelConfirmMs,
    repressMinMs: s.sosRepressMinMs,
    retryMs: s.sosRetryMs,
  });
  const notices = new NoticeBoard({
    now: () => c.time.now(),
    load: () => store.getMeta('notices'),
    save: (j) => {
      // On a full disk the board lives on in memory; receipts (outbox, reserved room) still go.
      try {
        store.setMeta('notices', j);
      } catch (error) {
        log.warn('notices.not_saved', { error: errorMessage(error) });
      }
    },
  });
  const sink = createSink({
    sos,
    reply: c.reply,
    batcher,
    time: c.time,
    posIntervalMs: () => s.posIntervalS * 1000,
    logger: log,
    onStaged: c.onStaged,
    onReject: c.onReject,
  });
  counters = sink.counters;
  return { budget, link, publisher, batcher, sos, notices, sink: sink.sink, counters: sink.counters };
}
