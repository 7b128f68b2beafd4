import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.ts';
import { escalationChain } from '../duty/chain.ts';
import { shiftAt } from '../duty/on-duty.ts';
import type { RosterStore } from '../duty/roster-store.ts';
import { formatDay, localDay, localTime } from '../duty/tz.ts';
import type { Logger } from '../log.ts';
import type { Role } from '../registry/schema.ts';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';
import type { JOB_DEFAULTS } from './defaults.ts';
import type { Outbox } from './outbox.ts';
import { summaryStats } from './stats.ts';
import { roleName } from './texts.ts';

export type JobOptions = typeof JOB_DEFAULTS;

export interface JobDeps {
  db: Db;
  registry: Registry;
  rosters: RosterStore;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** Sends what the jobs queued. */
  kick(): void;
  options: JobOptions;
}

const hhmm = (t: number, tz: string) => {
  const l = localTime(t, tz);
  return `${String(l.hh).padStart(2, '0')}:${String(l.mm).padStart(2, '0')}`;
};

/**
 * Scheduled duty work. node-cron only decides when; each job is a plain method taking `now`, so
 * tests call them directly with fake time. Every job is idempotent (delivery keys), so a run
 * repeated after a restart sends nothing twice.
 */
export class DutyJobs {
  private tasks: ScheduledTask[] = [];
  constructor(private readonly d: JobDeps) {}

  schedule(timeZone: string): void {
    const o = this.d.options;
    const add = (name: string, expr: string, fn: () => unknown) => {
      if (!cron.validate(expr))
        throw new Error(`The ${name} schedule ${JSON.stringify(expr)} is not a cron expression.`);
      this.tasks.push(
        cron.schedule(
          expr,
          () => {
            try {
              fn();
            } catch (e) {
              this.d.log.error({ err: e, job: name }, 'duty job failed');
            }
          },
          { name: `incidents-${name}`, timezone: timeZone, noOverlap: true },
        ),
      );
    };
    add('handover', o.handoverCron, () => this.handoverNotices());
    add('summary', o.summaryCron, () => this.dailySummaries());
    add('retention', o.retentionCron, () => this.retention());
  }

  stop(): void {
    for (const t of this.tasks) void t.destroy();
    this.tasks = [];
  }

  private openIncidentsIn(unitId: string) {
    const units = this.d.registry.descendants(unitId);
    return this.d.db
      .prepare(
        `SELECT id, state, summary, opened_at FROM incidents WHERE closed_at IS NULL
         AND unit IN (SELECT value FROM json_each(?)) ORDER BY opened_at`,
      )
      .all(JSON.stringify(units)) as { id: string; state: string; summary: string; opened_at: number }[];
  }

  /** Tells each incoming person, `handoverLeadMs` ahead, that their shift starts, with the open incidents of their unit. */
  handoverNotices(now = this.d.clock.now()): number {
    const lead = this.d.options.handoverLeadMs;
    let queued = 0;
    for (const rot of this.d.rosters.rotationsList()) {
      const s = shiftAt(rot, now + lead);
      if (!(s.start > now && s.start <= now + lead)) continue;
      const incoming = this.d.rosters.onDuty(rot.unit, rot.role as Role, s.start).people;
      const open = this.openIncidentsIn(rot.unit);
      const unit = this.d.registry.getUnit(rot.unit);
      const role = roleName(rot.role);
      const at = hhmm(s.start, rot.timeZone);
      const list = (lang: 'zh' | 'mn' | 'en') =>
        open
          .map((i) => `${(JSON.parse(i.summary) as Record<string, string>)[lang]}（${i.state}）`)
          .join('；');
      const texts = {
        zh: `交接班提醒：您将于${at}接班，担任${unit?.name.zh ?? rot.unit}${role.zh}。${
          open.length > 0 ? `辖区内有${open.length}起未结事件：${list('zh')}` : '辖区内目前没有未结事件。'
        }`,
        mn: `ᠵᠢᠵᠦᠦᠷ ᠰᠣᠯᠢᠬᠤ ᠰᠠᠨᠠᠭᠤᠯᠤᠮᠵᠢ: ᠲᠠ ${at} ᠴᠠᠭ_ᠲᠤ ${unit?.name.mn ?? rot.unit}_ᠤᠨ ${role.mn} ᠪᠣᠯᠵᠤ ᠵᠢᠵᠦᠦᠷ ᠡᠬᠢᠯᠡᠨ᠎ᠡ᠃ ${
          open.length > 0
            ? `ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠭᠳᠡᠭᠡ ᠦᠭᠡᠢ ${open.length} ᠬᠡᠷᠡᠭ ᠪᠠᠢᠨ᠎ᠠ: ${list('mn')}`
            : 'ᠣᠳᠣ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠭᠳᠡᠭᠡ ᠦᠭᠡᠢ ᠬᠡᠷᠡᠭ ᠦᠭᠡᠢ᠃'
        }`.replaceAll('_', '\u202f'),
        en: `Shift handover: you go on duty at ${at} as ${role.en} for ${unit?.name.en ?? rot.unit}. ${
          open.length > 0 ? `${open.length} open incident(s): ${list('en')}` : 'No open incidents.'
        }`,
      };
      for (const person of incoming) {
        queued += this.d.outbox.notice(
          `handover:${rot.unit}:${rot.role}:${s.start}:${person}`,
          person,
          {
            kind: 'handover',
            severity: 'low',
            texts,
            voice: false,
            data: {
              unit: rot.unit,
              role: rot.role,
              shiftStart: s.start,
              openIncidents: open.map((i) => i.id),
            },
          },
          now,
        );
      }
    }
    if (queued > 0) this.d.kick();
    return queued;
  }

  /** Yesterday's incidents and today's duty, per township (sumu), stored and sent to its station on duty. */
  dailySummaries(now = this.d.clock.now()) {
    const tz = this.d.rosters.defaultTimeZone;
    const day = formatDay(localDay(now, tz));
    const from = now - 86_400_000;
    const out: { unit: string; day: string; body: ReturnType<DutyJobs['summaryOf']> }[] = [];
    for (const sumu of this.d.registry.allUnits().filter((u) => u.level === 'sumu')) {
      const body = this.summaryOf(sumu.id, from, now);
      this.d.db
        .prepare('INSERT OR REPLACE INTO duty_summaries (unit, day, body, created_at) VALUES (?, ?, ?, ?)')
        .run(sumu.id, day, JSON.stringify(body), now);
      const s = body.stats;
      const texts = {
        zh: `${sumu.name.zh}${day}值班日报：过去24小时新发事件${s.opened}起，已确认${s.acknowledged}起，仍未确认${s.unacknowledged}起，升级${s.escalations}次；当前未结${body.open}起。`,
        mn: `${sumu.name.mn} ${day} ᠵᠢᠵᠦᠦᠷ_ᠦᠨ ᠡᠳᠦᠷ_ᠦᠨ ᠮᠡᠳᠡᠭᠡ: ᠰᠢᠨ᠎ᠡ ᠬᠡᠷᠡᠭ ${s.opened}᠂ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ${s.acknowledged}᠂ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠠᠳᠦᠢ ${s.unacknowledged}᠂ ᠳᠡᠭᠡᠭᠰᠢᠯᠡᠭᠦᠯᠦᠯᠲᠡ ${s.escalations}᠃`,
        en: `${sumu.name.en} duty report ${day}: ${s.opened} new incidents in the last 24 h, ${s.acknowledged} acknowledged, ${s.unacknowledged} unacknowledged, ${s.escalations} escalations; ${body.open} still open.`,
      };
      for (const person of this.d.rosters.onDuty(sumu.id, 'station-officer', now).people) {
        this.d.outbox.notice(
          `summary:${sumu.id}:${day}:${person}`,
          person,
          {
            kind: 'summary',
            severity: 'low',
            texts,
            voice: false,
            data: { unit: sumu.id, day },
          },
          now,
        );
      }
      out.push({ unit: sumu.id, day, body });
    }
    this.d.kick();
    return out;
  }

  summaryOf(sumuId: string, from: number, to: number) {
    const units = this.d.registry.descendants(sumuId);
    const duty = units
      .filter((u) => this.d.registry.getUnit(u)?.level === 'grid')
      .map((grid) => ({
        grid,
        levels: escalationChain(this.d.registry, grid, { top: 'sumu' }).map((s) => ({
          unit: s.unit,
          role: s.role,
          people: this.d.rosters.onDuty(s.unit, s.role, to).people,
        })),
      }));
    return {
      unit: sumuId,
      from,
      to,
      stats: summaryStats(this.d.db, units, from, to),
      open: this.openIncidentsIn(sumuId).length,
      duty,
    };
  }

  /** Deletes what is past keeping, in chunks, so the write lock is never held for long. */
  retention(now = this.d.clock.now()) {
    const o = this.d.options;
    const chunked = (sql: string, ...args: unknown[]) => {
      let total = 0;
      for (;;) {
        const n = this.d.db.prepare(sql).run(...args, o.retentionChunk).changes;
        total += n;
        if (n < o.retentionChunk) return total;
      }
    };
    const closedBefore = now - o.keepClosedIncidentsMs;
    const deliveries =
      chunked(
        `DELETE FROM deliveries WHERE id IN (SELECT d.id FROM deliveries d JOIN incidents i ON i.id = d.incident_id
       WHERE i.closed_at < ? LIMIT ?)`,
        closedBefore,
      ) +
      chunked(
        `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE incident_id IS NULL
       AND status NOT IN ('pending', 'retry') AND created_at < ? LIMIT ?)`,
        now - o.keepDutyMessagesMs,
      );
    const incidents = chunked(
      'DELETE FROM incidents WHERE id IN (SELECT id FROM incidents WHERE closed_at < ? LIMIT ?)',
      closedBefore,
    );
    chunked(
      `DELETE FROM incident_messages WHERE (source, msg_id) IN
       (SELECT source, msg_id FROM incident_messages WHERE at < ? LIMIT ?)`,
      closedBefore,
    );
    const summaries = this.d.db
      .prepare('DELETE FROM duty_summaries WHERE created_at < ?')
      .run(now - o.keepDutyMessagesMs).changes;
    const overrides = this.d.rosters.pruneOverrides(now - o.keepOverridesMs);
    const result = { incidents, deliveries, summaries, overrides };
    this.d.log.info(result, 'retention done');
    return result;
  }
}
