import type { NoticePriority, Texts } from '@steppelink/protocols';
import type { Registry } from '../registry/registry.ts';
import type { Db } from '../state/db.ts';

export interface NoticeRecord {
  id: string;
  createdAt: number;
  createdBy: string;
  issuerUnit: string;
  priority: NoticePriority;
  validFrom: number;
  expiresAt: number;
  texts: Texts;
  requireRead: boolean;
  audio: string | null;
  readDeadlineAt: number | null;
  state: 'scheduled' | 'published' | 'cancelled';
  publishedAt: number | null;
  tasksRaisedAt: number | null;
  targets: string[];
}

export interface UnitProgress {
  unitId: string;
  targeted: number;
  delivered: number;
  read: number;
  outstanding: number;
}

type Row = Record<string, unknown>;

/** Notices, targets and receipts in the state database. */
export class NoticeStore {
  private readonly q;
  constructor(
    private readonly db: Db,
    private readonly registry: Registry,
  ) {
    this.q = {
      insert:
        db.prepare(`INSERT INTO notices (id, created_at, created_by, issuer_unit, priority, valid_from, expires_at,
        texts, require_read, audio, read_deadline_at, state, schedule_id)
        VALUES (@id, @createdAt, @createdBy, @issuerUnit, @priority, @validFrom, @expiresAt, @texts, @requireRead,
        @audio, @readDeadlineAt, @state, @scheduleId)`),
      target: db.prepare('INSERT OR IGNORE INTO notice_targets (notice_id, unit_id) VALUES (?, ?)'),
      get: db.prepare('SELECT * FROM notices WHERE id = ?'),
      targets: db.prepare('SELECT unit_id FROM notice_targets WHERE notice_id = ? ORDER BY unit_id'),
      setState: db.prepare(
        'UPDATE notices SET state = ?, published_at = coalesce(?, published_at) WHERE id = ?',
      ),
      tasksRaised: db.prepare('UPDATE notices SET tasks_raised_at = ? WHERE id = ?'),
      receipt:
        db.prepare(`INSERT INTO notice_receipts (notice_id, device_id, delivered_at, read_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(notice_id, device_id) DO UPDATE SET
          delivered_at = min(coalesce(delivered_at, excluded.delivered_at), excluded.delivered_at),
          read_at = CASE WHEN excluded.read_at IS NULL THEN read_at ELSE min(coalesce(read_at, excluded.read_at), excluded.read_at) END`),
      audit: db.prepare(
        'INSERT INTO notice_audit (at, actor, action, notice_id, detail) VALUES (?, ?, ?, ?, ?)',
      ),
      dueScheduled: db.prepare(
        `SELECT id FROM notices WHERE state = 'scheduled' AND valid_from <= ? ORDER BY valid_from`,
      ),
      nextScheduled: db.prepare(`SELECT min(valid_from) FROM notices WHERE state = 'scheduled'`),
      dueReadDeadline:
        db.prepare(`SELECT id FROM notices WHERE state = 'published' AND read_deadline_at IS NOT NULL
        AND read_deadline_at <= ? AND tasks_raised_at IS NULL AND expires_at > ?`),
      nextReadDeadline: db.prepare(`SELECT min(read_deadline_at) FROM notices WHERE state = 'published'
        AND read_deadline_at IS NOT NULL AND tasks_raised_at IS NULL`),
      pendingFor: db.prepare(`SELECT DISTINCT n.id FROM notices n JOIN notice_targets t ON t.notice_id = n.id
        LEFT JOIN notice_receipts r ON r.notice_id = n.id AND r.device_id = ?
        WHERE n.state = 'published' AND n.valid_from <= ? AND n.expires_at > ? AND r.delivered_at IS NULL
          AND t.unit_id IN (SELECT value FROM json_each(?)) ORDER BY n.valid_from`),
    };
  }

  create(n: Omit<NoticeRecord, 'publishedAt' | 'tasksRaisedAt'> & { scheduleId?: string | null }): void {
    this.db.transaction(() => {
      this.q.insert.run({
        ...n,
        texts: JSON.stringify(n.texts),
        requireRead: n.requireRead ? 1 : 0,
        scheduleId: n.scheduleId ?? null,
      });
      for (const u of n.targets) this.q.target.run(n.id, u);
    })();
  }

  get(id: string): NoticeRecord | undefined {
    const r = this.q.get.get(id) as Row | undefined;
    if (!r) return undefined;
    return {
      id: r.id as string,
      createdAt: r.created_at as number,
      createdBy: r.created_by as string,
      issuerUnit: r.issuer_unit as string,
      priority: r.priority as NoticePriority,
      validFrom: r.valid_from as number,
      expiresAt: r.expires_at as number,
      texts: JSON.parse(r.texts as string),
      requireRead: r.require_read === 1,
      audio: (r.audio as string | null) ?? null,
      readDeadlineAt: (r.read_deadline_at as number | null) ?? null,
      state: r.state as NoticeRecord['state'],
      publishedAt: (r.published_at as number | null) ?? null,
      tasksRaisedAt: (r.tasks_raised_at as number | null) ?? null,
      targets: this.q.targets.pluck().all(id) as string[],
    };
  }

  /** Notices visible to someone scoped to `units` (targets within them, or issued from within them). */
  list(opts: { units: readonly string[]; limit: number; active?: boolean; now: number }): NoticeRecord[] {
    const rows = (
      opts.active
        ? this.db
            .prepare(
              `SELECT id FROM notices WHERE state != 'cancelled' AND expires_at > ? ORDER BY created_at DESC LIMIT 2000`,
            )
            .pluck()
            .all(opts.now)
        : this.db.prepare('SELECT id FROM notices ORDER BY created_at DESC LIMIT 2000').pluck().all()
    ) as string[];
    const out: NoticeRecord[] = [];
    for (const id of rows) {
      const n = this.get(id);
      if (!n) continue;
      const visible =
        opts.units.some((u) => this.registry.isWithin(n.issuerUnit, u)) ||
        n.targets.some((t) =>
          opts.units.some((u) => this.registry.isWithin(t, u) || this.registry.isWithin(u, t)),
        );
      if (visible) out.push(n);
      if (out.length >= opts.limit) break;
    }
    return out;
  }

  setState(id: string, state: NoticeRecord['state'], publishedAt: number | null = null): void {
    this.q.setState.run(state, publishedAt, id);
  }
  markTasksRaised(id: string, at: number): void {
    this.q.tasksRaised.run(at, id);
  }
  audit(at: number, actor: string, action: string, noticeId: string | null, detail: unknown): void {
    this.q.audit.run(at, actor, action, noticeId, JSON.stringify(detail));
  }
  auditTrail(noticeId: string): { at: number; actor: string; action: string; detail: unknown }[] {
    return (
      this.db
        .prepare('SELECT at, actor, action, detail FROM notice_audit WHERE notice_id = ? ORDER BY id')
        .all(noticeId) as Row[]
    ).map((r) => ({
      at: r.at as number,
      actor: r.actor as string,
      action: r.action as string,
      detail: JSON.parse(r.detail as string),
    }));
  }

  /** Records a box's receipt; returns false when the notice is unknown. */
  recordReceipt(noticeId: string, deviceId: string, state: 'delivered' | 'read', t: number): boolean {
    if (!this.q.get.get(noticeId)) return false;
    this.q.receipt.run(noticeId, deviceId, t, state === 'read' ? t : null);
    return true;
  }

  dueScheduled(now: number): string[] {
    return this.q.dueScheduled.pluck().all(now) as string[];
  }
  dueReadDeadlines(now: number): string[] {
    return this.q.dueReadDeadline.pluck().all(now, now) as string[];
  }
  /** Earliest future moment the scheduler has work: a scheduled start or a read deadline. */
  nextDueAt(): number | null {
    const a = this.q.nextScheduled.pluck().get() as number | null;
    const b = this.q.nextReadDeadline.pluck().get() as number | null;
    if (a === null) return b;
    if (b === null) return a;
    return Math.min(a, b);
  }
  /** Still-valid published notices for these units that this device has not confirmed. */
  pendingForDevice(deviceId: string, units: readonly string[], now: number): string[] {
    return this.q.pendingFor.pluck().all(deviceId, now, now, JSON.stringify(units)) as string[];
  }

  /**
   * Delivery progress per grid under the notice's targets: set-top boxes targeted, delivered,
   * read, outstanding. Roll-ups to any level are sums of these rows.
   */
  progressByGrid(noticeId: string, targets: readonly string[]): UnitProgress[] {
    const grids = [...new Set(targets.flatMap((t) => this.registry.descendants(t)))].filter(
      (u) => this.registry.getUnit(u)?.level === 'grid',
    );
    const rows = this.db
      .prepare(
        `SELECT h.grid AS unitId, count(d.id) AS targeted, count(r.delivered_at) AS delivered, count(r.read_at) AS read
         FROM households h JOIN devices d ON d.household = h.id AND d.kind = 'settop' AND d.enabled = 1
         LEFT JOIN notice_receipts r ON r.notice_id = ? AND r.device_id = d.id
         WHERE h.grid IN (SELECT value FROM json_each(?)) GROUP BY h.grid ORDER BY h.grid`,
      )
      .all(noticeId, JSON.stringify(grids)) as Omit<UnitProgress, 'outstanding'>[];
    return rows.map((r) => ({ ...r, outstanding: r.targeted - r.delivered }));
  }

  /** Households whose box has not confirmed delivery (or reading, with `read`), for a visit list. */
  unreached(noticeId: string, targets: readonly string[], what: 'delivered' | 'read') {
    const grids = [...new Set(targets.flatMap((t) => this.registry.descendants(t)))];
    const col = what === 'read' ? 'r.read_at' : 'r.delivered_at';
    return this.db
      .prepare(
        `SELECT h.id AS householdId, h.name, h.phone, h.grid, d.id AS deviceId
         FROM households h JOIN devices d ON d.household = h.id AND d.kind = 'settop' AND d.enabled = 1
         LEFT JOIN notice_receipts r ON r.notice_id = ? AND r.device_id = d.id
         WHERE h.grid IN (SELECT value FROM json_each(?)) AND ${col} IS NULL ORDER BY h.grid, h.id`,
      )
      .all(noticeId, JSON.stringify(grids)) as {
      householdId: string;
      name: string;
      phone: string | null;
      grid: string;
      deviceId: string;
    }[];
  }
}
