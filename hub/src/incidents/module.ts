import { downTopic, expandFixes, type Severity } from '@steppelink/protocols';
import type { Clock } from '../clock.ts';
import type { Accepted, ComponentHealth, HubContext, HubModule } from '../context.ts';
import { escalationChain } from '../duty/chain.ts';
import { RosterStore } from '../duty/roster-store.ts';
import { deviceAckChannel } from '../notify/device.ts';
import { Deliverer } from '../notify/deliverer.ts';
import { SqliteDeliveryStore } from '../notify/sqlite-deliveries.ts';
import { DueTimer } from '../notify/due-timer.ts';
import { mqttWorkerNotifier } from '../notify/mqtt.ts';
import type { ChannelName, Notifier } from '../notify/port.ts';
import { StreamHub } from '../notify/stream.ts';
import { dispatchNotifier, webhookNotifier } from '../notify/webhook.ts';
import type { UnitLevel } from '../registry/schema.ts';
import { migrate } from '../state/db.ts';
import { incidentRoutes } from './api.ts';
import { PolicyStore } from './policy-store.ts';
import { DELIVERY_DEFAULTS, type EscalationPolicy, INCIDENT_DEFAULTS, JOB_DEFAULTS } from './defaults.ts';
import { IncidentEngine } from './engine.ts';
import { dispatchHandover, unsentDispatches } from './handover/dispatch.ts';
import type { Place } from './handover/places.ts';
import type { Incident } from './store.ts';
import { DutyJobs, type JobOptions } from './jobs.ts';
import { incidentMetrics } from './metrics.ts';
import { incidentMigrations } from './migrations.ts';
import { Outbox, wireId } from './outbox.ts';
import { ReachWatch } from './reach-watch.ts';
import { filterMatches } from '../broker/sessions.ts';
import { isSosTopic } from '../broker/sos-topics.ts';
import type { AlertInput, IncidentSink } from './port.ts';
import { type SosVia, sosHandlers } from './sos.ts';
import { messageHandlers } from './messages.ts';
import { SqliteIncidentStore } from './sqlite-store.ts';
import { viewOf } from './view.ts';

export interface IncidentsModuleOptions {
  /** Per-severity overrides of the escalation policy (merged over DEFAULT_POLICY). */
  policy?: Partial<Record<Severity, Partial<EscalationPolicy>>>;
  chainTop?: UnitLevel;
  repeatWindowMs?: number;
  rerouteEveryMs?: number;
  lateAfterMs?: number;
  latePressWindowMs?: number;
  maxPositionsPerIncident?: number;
  /** Roster time zone when a rotation names none. */
  timeZone?: string;
  /** The SMS/voice gateway (STEPPELINK_WEBHOOK_URL); without it, pages go over MQTT and the stream only. */
  webhook?: { url: string; headers?: Record<string, string>; timeoutMs?: number };
  /**
   * The rescue dispatcher's system (STEPPELINK_DISPATCH_URL): each dispatch POSTs the incident's
   * rescue handover there (handover/dispatch.ts). Without it, the handover is only served by the API.
   */
  dispatchWebhook?: { url: string; headers?: Record<string, string>; timeoutMs?: number };
  /** Water points and roads for the rescue handover (the rules' water and road zones). */
  places?: () => readonly Place[];
  delivery?: Partial<typeof DELIVERY_DEFAULTS>;
  /** Scheduled jobs (handover notices, daily summaries, retention); false turns node-cron off. */
  jobs?: Partial<JobOptions> | false;
  /** Jitter source for retries (tests pin it). */
  random?: () => number;
  /** Escalation, delivery and job time; default the hub's clock (tests pass a fake one). */
  clock?: Clock;
  /**
   * Wraps the box's sos-ack channel, e.g. to answer over the SMS or BeiDou path an SOS came by
   * when the box's MQTT link is down (the short-message module).
   */
  deviceAckRelay?: (mqtt: Notifier) => Notifier;
}

export type IncidentsModule = Omit<HubModule, 'routes'> & {
  routes: ReturnType<typeof incidentRoutes>;
  sink: IncidentSink;
  readonly engine: IncidentEngine;
  readonly rosters: RosterStore;
  readonly jobs: DutyJobs;
  /** Escalation policies as data (issue #24). */
  readonly policies: PolicyStore;
  /** Resolves when no delivery is in flight (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * An SOS that came another way than MQTT (an SMS or BeiDou short message, verified): handled
   * as the MQTT handler handles one, its path on the timeline. Resolves with the incident id.
   */
  sosArrived(m: Accepted<'sos'>, via: SosVia): Promise<string | undefined>;
};

/** Incidents, duty routing and notification as one hub module. */
export function createIncidentsModule(options: IncidentsModuleOptions = {}): IncidentsModule {
  const policy = { ...INCIDENT_DEFAULTS.policy };
  for (const [sev, p] of Object.entries(options.policy ?? {}) as [Severity, Partial<EscalationPolicy>][]) {
    policy[sev] = { ...policy[sev], ...p };
  }
  const o = { ...INCIDENT_DEFAULTS, ...options, policy };
  const deliveryOpts = { ...DELIVERY_DEFAULTS, ...options.delivery };
  let ctx: HubContext | undefined;
  let engine: IncidentEngine | undefined;
  let rosters: RosterStore | undefined;
  let policies: PolicyStore | undefined;
  let deliverer: Deliverer | undefined;
  let timer: DueTimer | undefined;
  let jobs: DutyJobs | undefined;
  let reach: ReachWatch | undefined;
  let onDispatched: ((inc: Incident) => Promise<void>) | undefined;
  const handover = { timeZone: o.timeZone, places: () => options.places?.() ?? [] };
  const stream = new StreamHub();
  const need = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('The incidents module is not started: call start(ctx) first.');
    return x;
  };
  const handlers = sosHandlers(
    () => need(engine),
    () => need(ctx).registry,
    o.chainTop,
  );
  const conversation = messageHandlers(
    () => need(engine),
    () => need(ctx).registry,
  );

  const sink: IncidentSink = {
    async raise(input: AlertInput) {
      const c = need(ctx);
      return need(engine).raise(input, {
        chain: escalationChain(c.registry, input.unitId, { top: o.chainTop }),
      });
    },
    async clear(key, at, note) {
      await need(engine).clear(key, at, note);
    },
  };

  return {
    name: 'incidents',
    sink,
    get engine() {
      return need(engine);
    },
    get rosters() {
      return need(rosters);
    },
    get jobs() {
      return need(jobs);
    },
    get policies() {
      return need(policies);
    },

    start(hubCtx: HubContext) {
      const c: HubContext = options.clock ? { ...hubCtx, clock: options.clock } : hubCtx;
      ctx = c;
      migrate(c.db, 'incidents', incidentMigrations);
      rosters = new RosterStore(c.db, c.registry, o.timeZone);
      policies = new PolicyStore(c.db, (f) => c.registry.onChange(f));
      const notifiers: Notifier[] = [mqttWorkerNotifier(c.publisher), stream];
      if (options.webhook) {
        notifiers.push(webhookNotifier({ timeoutMs: deliveryOpts.requestTimeoutMs, ...options.webhook }));
      }
      const channels = new Map<ChannelName, Notifier>(notifiers.map((n) => [n.channel, n]));
      if (options.dispatchWebhook) {
        const dw = dispatchNotifier({ timeoutMs: deliveryOpts.requestTimeoutMs, ...options.dispatchWebhook });
        channels.set('dispatch', dw);
      }
      const boxAcks = deviceAckChannel(c.publisher);
      channels.set('device', options.deviceAckRelay ? options.deviceAckRelay(boxAcks) : boxAcks);
      const metrics = incidentMetrics(c.metrics, () => c.db);
      const deliveries = new SqliteDeliveryStore(c.db);
      deliverer = new Deliverer(
        deliveries,
        channels,
        c.clock,
        deliveryOpts,
        c.log,
        options.random,
        (ch, out, key) => {
          metrics.deliveries.inc({ channel: ch, status: out.status });
          // An alert's outcome may decide that its level is unreachable (key: page:{incident}:…:alert:…).
          const m = /^page:([^:]+):\d+:\d+:alert:/.exec(key);
          if (m && out.status !== 'retry') reach?.check(m[1]!);
        },
      );
      const store = new SqliteIncidentStore(c.db);
      const outbox = new Outbox(c.registry, notifiers, (rows, at) => deliveries.insert(rows, at), {
        fallbackAfterMs: deliveryOpts.fallbackAfterMs,
      });
      reach = new ReachWatch(
        c.db,
        () => need(engine),
        c.clock,
        deliveryOpts.fallbackAfterMs,
        c.log,
        () => need(deliverer).flush(),
      );
      // A PUBACK from a phone or a box: that page or sos-ack is delivered (or, sent ahead of its
      // transaction, will be written as delivered).
      c.publisher.onDelivered?.((_clientId, topic, payload) => {
        if (!isSosTopic(topic)) return;
        let id: unknown;
        try {
          id = (JSON.parse(payload.toString('utf8')) as { id?: unknown }).id;
        } catch {
          return;
        }
        if (typeof id !== 'string') return;
        const wire = wireId(topic, id);
        if (need(deliverer).markDelivered(wire).length === 0) outbox.ackedEarly(wire);
      });
      timer = new DueTimer(c.clock, () => {
        need(engine)
          .tick()
          .then((next) => need(timer).armAt(next))
          .catch((err) => c.log.error({ err }, 'escalation tick failed'));
      });
      const deviceHasOpen = c.db
        .prepare('SELECT 1 FROM incidents WHERE device = ? AND closed_at IS NULL LIMIT 1')
        .pluck();
      engine = new IncidentEngine({
        store,
        reads: store,
        registry: c.registry,
        roster: rosters,
        clock: c.clock,
        log: c.log,
        outbox,
        options: o,
        sendAhead: (channel, payload) => need(deliverer).sendAhead(channel, payload),
        markRead: (key) => (c.db.open ? deliveries.markRead(key, c.clock.now()).length : 0),
        policyFor: (unitId, severity) =>
          need(policies).resolve(
            c.registry.unitChain(unitId).map((u) => u.id),
            severity,
          ),
        onCommit(changed, created, fresh) {
          const d = need(deliverer);
          // A person is waiting for their page: worker alerts leave before anything else is done.
          // The rest of the rows go straight after, without the pump's queries, unless the
          // deliverer has to sequence them behind older ones (or does not know them).
          const handed = d.sendFresh(fresh);
          need(engine).noteChanged(changed, (device) => !!deviceHasOpen.get(device));
          for (const inc of changed) need(timer).armAt(inc.nextAt);
          for (const inc of changed)
            if (inc.state === 'open' || inc.state === 'notified') reach?.check(inc.id);
          for (const inc of changed) if (created.has(inc.id)) metrics.opened(inc);
          if (!handed) d.kick();
          d.afterUrgent(() => {
            if (!c.db.open) return;
            for (const inc of changed) {
              c.events.emit('incident.changed', {
                incidentId: inc.id,
                unitId: inc.unit,
                state: inc.state,
                at: inc.updatedAt,
                data: viewOf(c.registry, inc, c.db),
              });
            }
          });
        },
      });
      if (options.dispatchWebhook) {
        const written = c.db.prepare('SELECT 1 FROM deliveries WHERE key = ?').pluck();
        const send = dispatchHandover({
          sources: { ...handover, ctx: () => c, engine: () => need(engine) },
          outbox,
          kick: () => need(deliverer).kick(),
          log: c.log,
          sent: (key) => written.get(key) !== undefined,
        });
        onDispatched = send;
        // dispatches whose handover row was never written (stopped in between): written now
        for (const id of unsentDispatches(c.db, c.clock.now())) {
          const inc = need(engine).get(id);
          if (inc) void send(inc);
        }
      }
      jobs = new DutyJobs({
        db: c.db,
        registry: c.registry,
        rosters,
        outbox,
        clock: c.clock,
        log: c.log,
        kick: () => need(deliverer).kick(),
        options: { ...JOB_DEFAULTS, ...(options.jobs || {}) },
      });
      if (options.jobs !== false) jobs.schedule(o.timeZone);
      // Resume: escalations whose time has come run now; undelivered pages go out.
      engine.trackOpen(
        c.db
          .prepare('SELECT DISTINCT device FROM incidents WHERE closed_at IS NULL AND device IS NOT NULL')
          .pluck()
          .all() as string[],
      );
      timer.armAt(store.nextDueNow());
      deliverer.kick();
      reach.sweep();
    },

    handlers: {
      sos: async (m: Accepted<'sos'>) => {
        await handlers.sos(m);
      },
      'worker-ack': (m: Accepted<'worker-ack'>) => handlers['worker-ack'](m),
      'sos-reply': (m: Accepted<'sos-reply'>) => conversation['sos-reply'](m),
      'worker-reply': (m: Accepted<'worker-reply'>) => conversation['worker-reply'](m),
      pos: (m: Accepted<'pos'>) => need(engine).attachPositions(m.deviceId, expandFixes(m.msg)),
    },

    routes: incidentRoutes({
      engine: () => need(engine),
      ctx: () => need(ctx),
      rosters: () => need(rosters),
      policies: () => need(policies),
      stream,
      chainTop: o.chainTop,
      handover,
      onDispatched: (inc) => onDispatched?.(inc) ?? Promise.resolve(),
    }),

    /**
     * Once a box listens on its sos-ack topic again, it gets the current state of each of its
     * OPEN incidents, once: the latest sos-ack, when that one never reached it (no session took
     * it, or its session was clean and kept nothing). A persistent session's queue (durable in
     * the broker) delivers itself, and a delivered one is not sent again: no duplicate ids,
     * nothing from closed incidents. Responders' texts (`sos-msg`) of those incidents that never
     * reached it go again the same way, each once more.
     */
    async onDeviceSubscribed(deviceId, topics, session) {
      const topic = downTopic(deviceId, 'sos-ack');
      if (!topics.some((t) => filterMatches(t, topic))) return;
      const c = need(ctx);
      const d = need(deliverer);
      const rows = c.db
        .prepare(
          `SELECT d.id, d.status FROM deliveries d JOIN incidents i ON i.id = d.incident_id
           WHERE d.device = ? AND d.channel = 'device' AND i.closed_at IS NULL
             AND (d.id = (SELECT max(id) FROM deliveries
                          WHERE incident_id = d.incident_id AND channel = 'device' AND kind = 'sos-ack')
                  OR d.kind = 'sos-msg')`,
        )
        .all(deviceId) as { id: number; status: string }[];
      const again = rows.filter(
        (r) =>
          r.status === 'no-listener' ||
          r.status === 'failed' ||
          (r.status === 'queued' && session?.clean !== false),
      );
      if (again.length > 0) d.resend(again.map((r) => r.id));
    },

    health(): ComponentHealth {
      if (!ctx || !deliverer) return { state: 'down', reason: 'not started' };
      const backlog = deliverer.backlog();
      const open = ctx.db
        .prepare('SELECT count(*) FROM incidents WHERE closed_at IS NULL')
        .pluck()
        .get() as number;
      return {
        state: backlog > 1000 ? 'degraded' : 'up',
        openIncidents: open,
        deliveryBacklog: backlog,
        deliveries: { ...deliverer.counts },
        streams: stream.listeners(),
        webhook: options.webhook ? 'configured' : 'off',
        dispatchWebhook: options.dispatchWebhook ? 'configured' : 'off',
      };
    },

    sosArrived: (m, via) => handlers.sos(m, via),

    idle: async () => {
      await engine?.settled();
      await deliverer?.idle();
    },

    async close() {
      jobs?.stop();
      rosters?.close();
      timer?.cancel();
      reach?.close();
      await deliverer?.close();
    },
  };
}
