import { downTopic, downWildcard, encodeOrThrow, type Notice, unitNoticeTopic } from '@steppelink/protocols';
import cron, { type ScheduledTask } from 'node-cron';
import type { HubContext, HubModule } from '../context.ts';
import { ulidAt } from '../ids.ts';
import type { IncidentSink } from '../incidents/port.ts';
import { migrate } from '../state/db.ts';
import { noticeRoutes } from './routes.ts';
import { BROADCAST_DEFAULTS, type NoticeDraft, toMs } from './schema.ts';
import { broadcastMigrations } from './migrations.ts';
import { NoticeStore, type NoticeRecord } from './store.ts';
import { unreadTaskInputs } from './tasks.ts';

export interface BroadcastOptions {
  /** Where unread emergency notices become tasks for grid workers (the incidents module). */
  sink?: IncidentSink;
  defaults?: Partial<typeof BROADCAST_DEFAULTS>;
  /** Cron scheduling, injectable for tests; node-cron by default. */
  scheduleCron?: (expr: string, timezone: string, fn: () => void) => { stop(): void };
}

export interface BroadcastModule extends Omit<HubModule, 'routes'> {
  routes: ReturnType<typeof noticeRoutes>;
  /** Creates (and, when due, publishes) a notice on behalf of `actor`. Permission checks are the caller's. */
  createNotice(
    draft: NoticeDraft,
    actor: { personId: string; unitId: string; name: string },
    scheduleId?: string,
  ): Promise<NoticeRecord>;
  cancelNotice(id: string, actorId: string): boolean;
  store(): NoticeStore;
  /** Runs due work now (publishing scheduled notices, raising unread tasks); the timer calls it too. */
  runDue(): Promise<void>;
  /** Arms a recurring notice from the schedule table. */
  armSchedule(id: string): void;
}

const noticePayload = (n: NoticeRecord, issuerName: string, now: number): Buffer => {
  const msg: Notice = {
    v: 1,
    id: n.id,
    ts: now,
    noticeId: n.id,
    priority: n.priority,
    validFrom: n.validFrom,
    expiresAt: n.expiresAt,
    texts: n.texts,
    requireRead: n.requireRead,
    issuer: { unitId: n.issuerUnit, name: issuerName },
  };
  if (n.audio) msg.audio = n.audio;
  return encodeOrThrow('notice', msg);
};

/**
 * Smart broadcasting: notices to households' TV boxes. A notice is published once per target
 * unit topic (QoS 1; boxes with persistent sessions get it when they come back while the hub is
 * up), and a box that connects is sent every still-valid notice it has not confirmed (covers new
 * boxes and hub restarts). Expired or cancelled notices are withheld at the broker
 * (forwardFilter), so a box back from a long outage never shows a stale warning.
 */
export function createBroadcastModule(options: BroadcastOptions = {}): BroadcastModule {
  const cfg = { ...BROADCAST_DEFAULTS, ...options.defaults };
  const scheduleCron =
    options.scheduleCron ??
    ((expr: string, timezone: string, fn: () => void) =>
      cron.schedule(expr, fn, { timezone }) as ScheduledTask);
  let ctx: HubContext | undefined;
  let notices: NoticeStore | undefined;
  let timer: unknown;
  let closed = false;
  const cronTasks = new Map<string, { stop(): void }>();
  const expiry = new Map<string, { expiresAt: number; cancelled: boolean }>();

  /** When the last notice published (or in force at start) expires: till then a box may have one to catch up. */
  let inForceUntil = 0;
  const anyInForce = (now: number): boolean => now < inForceUntil;
  const need = () => {
    if (!ctx || !notices) throw new Error('broadcast module used before start()');
    return { ctx, notices };
  };
  const issuerName = (unitId: string) => ctx?.registry.getUnit(unitId)?.name.zh ?? unitId;

  async function publish(n: NoticeRecord): Promise<void> {
    const { ctx, notices } = need();
    const now = ctx.clock.now();
    const payload = noticePayload(n, issuerName(n.issuerUnit), now);
    expiry.set(n.id, { expiresAt: n.expiresAt, cancelled: false });
    inForceUntil = Math.max(inForceUntil, n.expiresAt);
    for (const unitId of n.targets) await ctx.publisher.publish(unitNoticeTopic(unitId), payload, { qos: 1 });
    notices.setState(n.id, 'published', now);
    ctx.events.emit('notice.progress', { noticeId: n.id, at: now, data: { state: 'published' } });
    ctx.log.info({ noticeId: n.id, targets: n.targets, priority: n.priority }, 'notice published');
  }

  function arm(): void {
    if (!ctx || !notices || closed) return;
    if (timer !== undefined) ctx.clock.clearTimeout(timer);
    timer = undefined;
    const next = notices.nextDueAt();
    if (next === null) return;
    // Clamp: at most a minute between checks, so clock jumps and long waits stay safe.
    const delay = Math.min(Math.max(0, next - ctx.clock.now()), 60_000);
    timer = ctx.clock.setTimeout(() => {
      timer = undefined;
      runDue().catch((e) => ctx?.log.error({ err: e }, 'broadcast scheduler failed'));
    }, delay);
  }

  async function runDue(): Promise<void> {
    const { ctx, notices } = need();
    const now = ctx.clock.now();
    for (const id of notices.dueScheduled(now)) {
      const n = notices.get(id);
      if (n) await publish(n);
    }
    if (options.sink) {
      for (const id of notices.dueReadDeadlines(now)) {
        const n = notices.get(id);
        if (!n) continue;
        for (const input of unreadTaskInputs(n, notices, ctx.registry, now)) await options.sink.raise(input);
        notices.markTasksRaised(id, now);
      }
    }
    arm();
  }

  async function createNotice(
    draft: NoticeDraft,
    actor: { personId: string; unitId: string; name: string },
    scheduleId?: string,
  ): Promise<NoticeRecord> {
    const { ctx, notices } = need();
    const now = ctx.clock.now();
    const validFrom = toMs(draft.validFrom, now);
    const expiresAt = toMs(draft.expiresAt, validFrom + draft.durationHours * 3_600_000);
    const requireRead = draft.requireRead ?? draft.priority === 'emergency';
    const deadlineMs =
      draft.readDeadlineMinutes !== undefined
        ? draft.readDeadlineMinutes * 60_000
        : draft.priority === 'emergency' && requireRead
          ? cfg.emergencyReadDeadlineMs
          : null;
    const id = `ntc-${ulidAt(now)}`;
    const record: NoticeRecord = {
      id,
      createdAt: now,
      createdBy: actor.personId,
      issuerUnit: actor.unitId,
      priority: draft.priority,
      validFrom,
      expiresAt,
      texts: draft.texts,
      requireRead,
      audio: draft.audio ?? (draft.priority === 'emergency' ? 'siren' : null),
      readDeadlineAt: deadlineMs === null ? null : validFrom + deadlineMs,
      state: 'scheduled',
      publishedAt: null,
      tasksRaisedAt: null,
      targets: [...new Set(draft.targets)],
    };
    notices.create({ ...record, scheduleId: scheduleId ?? null });
    notices.audit(now, actor.personId, 'create', id, {
      targets: record.targets,
      priority: record.priority,
      validFrom,
      expiresAt,
    });
    if (validFrom <= now) await publish(record);
    arm();
    return notices.get(id) ?? record;
  }

  function armSchedule(id: string): void {
    const { ctx } = need();
    const row = ctx.db.prepare('SELECT * FROM notice_schedules WHERE id = ? AND active = 1').get(id) as
      | { cron: string; timezone: string; template: string; created_by: string }
      | undefined;
    cronTasks.get(id)?.stop();
    cronTasks.delete(id);
    if (!row) return;
    const template = JSON.parse(row.template) as NoticeDraft;
    const person = ctx.registry.getPerson(row.created_by);
    cronTasks.set(
      id,
      scheduleCron(row.cron, row.timezone, () => {
        createNotice(
          template,
          {
            personId: row.created_by,
            unitId: person?.roles[0]?.unit ?? template.targets[0]!,
            name: person?.name ?? '',
          },
          id,
        ).catch((e) => ctx.log.error({ err: e, scheduleId: id }, 'recurring notice failed'));
      }),
    );
  }

  const mod: BroadcastModule = {
    name: 'broadcast',
    start(c) {
      ctx = c;
      closed = false;
      migrate(c.db, 'broadcast', broadcastMigrations);
      notices = new NoticeStore(c.db, c.registry);
      const live = c.db
        .prepare(`SELECT id, expires_at, state FROM notices WHERE expires_at > ?`)
        .all(c.clock.now()) as { id: string; expires_at: number; state: string }[];
      for (const r of live) {
        expiry.set(r.id, { expiresAt: r.expires_at, cancelled: r.state === 'cancelled' });
        if (r.state !== 'cancelled') inForceUntil = Math.max(inForceUntil, r.expires_at);
      }
      for (const id of c.db
        .prepare('SELECT id FROM notice_schedules WHERE active = 1')
        .pluck()
        .all() as string[])
        armSchedule(id);
      arm();
    },
    handlers: {
      receipt(m) {
        const { notices, ctx } = need();
        if (notices.recordReceipt(m.msg.noticeId, m.deviceId, m.msg.state, m.msg.ts)) {
          ctx.events.emit('notice.progress', {
            noticeId: m.msg.noticeId,
            at: ctx.clock.now(),
            data: { deviceId: m.deviceId, state: m.msg.state },
          });
        }
      },
    },
    async onDeviceSubscribed(deviceId, topics) {
      // Catch-up once the box listens on its own downlink (a first-time box has no session yet).
      if (!topics.some((t) => t === downWildcard(deviceId) || t === downTopic(deviceId, 'notice'))) return;
      const { ctx, notices } = need();
      const now = ctx.clock.now();
      // no notice in force: nothing to catch up, and no query per box in a reconnect storm
      if (!anyInForce(now)) return;
      const device = ctx.registry.getDevice(deviceId);
      if (device?.kind !== 'settop') return;
      for (const id of notices.pendingForDevice(deviceId, ctx.registry.deviceUnitChain(deviceId), now)) {
        const n = notices.get(id);
        if (n)
          await ctx.publisher.publish(
            downTopic(deviceId, 'notice'),
            noticePayload(n, issuerName(n.issuerUnit), now),
            { qos: 1 },
          );
      }
    },
    forwardFilter(_clientId, topic, payload) {
      if (!topic.endsWith('/notice')) return true;
      try {
        const id = (JSON.parse(payload.toString('utf8')) as { noticeId?: string }).noticeId;
        const e = id ? expiry.get(id) : undefined;
        if (!e) return true;
        return !e.cancelled && (ctx?.clock.now() ?? Date.now()) < e.expiresAt;
      } catch {
        return true;
      }
    },
    routes: noticeRoutes({ module: () => mod, ctx: () => need().ctx }),
    createNotice,
    cancelNotice(id, actorId) {
      const { ctx, notices } = need();
      const n = notices.get(id);
      if (!n || n.state === 'cancelled') return false;
      notices.setState(id, 'cancelled');
      expiry.set(id, { expiresAt: n.expiresAt, cancelled: true });
      notices.audit(ctx.clock.now(), actorId, 'cancel', id, {});
      arm();
      return true;
    },
    store: () => need().notices,
    runDue,
    armSchedule,
    health() {
      return { state: 'up', scheduled: notices?.nextDueAt() ?? null, recurring: cronTasks.size };
    },
    close() {
      closed = true;
      if (timer !== undefined && ctx) ctx.clock.clearTimeout(timer);
      timer = undefined;
      for (const t of cronTasks.values()) t.stop();
      cronTasks.clear();
    },
  };
  return mod;
}
