import type { RegistryStore } from '../registry/store.ts';
import type { OverrideInput, Role, RostersInput, RotationInput } from '../registry/schema.ts';
import { type Db, migrate, otherWriterWatch } from '../state/db.ts';
import { type DutyAnswer, type Override, type Rotation, rotationFromInput, whoIsOnDuty } from './on-duty.ts';
import { parseDay, startOfDay } from './tz.ts';

/** Duty tables. Append new migrations; never edit an applied one. */
const dutyMigrations = [
  `CREATE TABLE duty_rotations (
     unit TEXT NOT NULL, role TEXT NOT NULL, period TEXT NOT NULL, handover TEXT NOT NULL,
     start_date TEXT NOT NULL, members TEXT NOT NULL, per_shift INTEGER NOT NULL, time_zone TEXT NOT NULL,
     updated_at INTEGER NOT NULL, PRIMARY KEY (unit, role));
   CREATE TABLE duty_overrides (
     id TEXT PRIMARY KEY, unit TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, person TEXT NOT NULL,
     other TEXT, from_text TEXT NOT NULL, to_text TEXT NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER NOT NULL,
     note TEXT, updated_at INTEGER NOT NULL);
   CREATE INDEX duty_overrides_unit ON duty_overrides(unit, role, to_ms);`,
];

export interface RosterError {
  section: 'rosters';
  index: number;
  field: string;
  reason: string;
}

type Row = Record<string, unknown>;
const key = (unit: string, role: string) => `${unit}\u0000${role}`;

/**
 * Rotations and overrides in the state database, cached in memory (a league has a few thousand
 * rotations at most) and reloaded after every change. Answers "who is on duty for unit U in
 * role R at time t" with the pure `whoIsOnDuty`.
 */
export class RosterStore {
  private rotations = new Map<
    string,
    Rotation & { period: 'daily' | 'weekly'; handover: string; startDate: string }
  >();
  private overrides = new Map<string, Override[]>();
  private overrideText = new Map<string, { from: string; to: string }>();
  /** True when another connection (the CLI) committed since the last look: then the cache reloads. */
  private readonly othersWrote;

  constructor(
    private readonly db: Db,
    private readonly registry: RegistryStore,
    readonly defaultTimeZone = 'Asia/Shanghai',
  ) {
    migrate(db, 'duty', dutyMigrations);
    this.othersWrote = otherWriterWatch(db);
    this.reload();
  }

  private fresh(): void {
    if (this.othersWrote()) this.reload();
  }

  private reload(): void {
    this.othersWrote(); // what is loaded now is current
    this.rotations.clear();
    this.overrides.clear();
    this.overrideText.clear();
    for (const r of this.db.prepare('SELECT * FROM duty_rotations').all() as Row[]) {
      const input = {
        unit: r.unit as string,
        role: r.role as string,
        period: r.period as 'daily' | 'weekly',
        handover: r.handover as string,
        startDate: r.start_date as string,
        members: JSON.parse(r.members as string) as string[],
        perShift: r.per_shift as number,
        timeZone: r.time_zone as string,
      };
      this.rotations.set(key(input.unit, input.role), {
        ...rotationFromInput(input, this.defaultTimeZone),
        ...input,
      });
    }
    for (const r of this.db.prepare('SELECT * FROM duty_overrides ORDER BY from_ms, id').all() as Row[]) {
      const o: Override = {
        id: r.id as string,
        unit: r.unit as string,
        role: r.role as string,
        kind: r.kind as Override['kind'],
        person: r.person as string,
        other: (r.other as string | null) ?? null,
        from: r.from_ms as number,
        to: r.to_ms as number,
        note: (r.note as string | null) ?? null,
      };
      const k = key(o.unit, o.role);
      this.overrides.set(k, [...(this.overrides.get(k) ?? []), o]);
      this.overrideText.set(o.id, { from: r.from_text as string, to: r.to_text as string });
    }
  }

  /** Who is on duty for `unit` in `role` at `t` (rotation or all holders, then overrides). */
  onDuty(unit: string, role: Role, t: number): DutyAnswer {
    this.fresh();
    const k = key(unit, role);
    const rotation = this.rotations.get(k);
    const holders = rotation ? [] : this.registry.peopleWithRole(unit, role).map((p) => p.id);
    return whoIsOnDuty(
      { ...(rotation ? { rotation } : {}), overrides: this.overrides.get(k) ?? [], holders },
      t,
    );
  }

  rotationsList(): Rotation[] {
    this.fresh();
    return [...this.rotations.values()];
  }

  /** The rosters of these units, in the registry document's shape (for GET and export). */
  export(units: ReadonlySet<string>): RostersInput {
    this.fresh();
    const rotations: RotationInput[] = [];
    for (const r of this.rotations.values()) {
      if (!units.has(r.unit)) continue;
      rotations.push({
        unit: r.unit,
        role: r.role as Role,
        period: r.period,
        handover: r.handover,
        startDate: r.startDate,
        members: [...r.members],
        perShift: r.perShift,
        timeZone: r.timeZone,
      });
    }
    const overrides: OverrideInput[] = [];
    for (const list of this.overrides.values()) {
      for (const o of list) {
        if (!units.has(o.unit)) continue;
        const text = this.overrideText.get(o.id) ?? { from: '', to: '' };
        const base = { id: o.id, unit: o.unit, role: o.role as Role, from: text.from, to: text.to };
        const note = o.note === null ? {} : { note: o.note };
        if (o.kind === 'swap')
          overrides.push({ ...base, ...note, kind: 'swap', person: o.person, with: o.other ?? '' });
        else if (o.kind === 'cover')
          overrides.push({
            ...base,
            ...note,
            kind: 'cover',
            person: o.person,
            ...(o.other ? { replaces: o.other } : {}),
          });
        else overrides.push({ ...base, ...note, kind: 'leave', person: o.person });
      }
    }
    return { timeZone: this.defaultTimeZone, rotations, overrides };
  }

  /** Checks a rosters section against the registry: units and people exist, ranges are forward. */
  check(doc: RostersInput): RosterError[] {
    const errors: RosterError[] = [];
    const err = (index: number, field: string, reason: string) =>
      errors.push({ section: 'rosters', index, field, reason });
    const seen = new Set<string>();
    doc.rotations.forEach((r, i) => {
      if (!this.registry.getUnit(r.unit)) err(i, 'unit', `unknown unit ${r.unit}`);
      if (seen.has(key(r.unit, r.role))) err(i, 'role', `a second rotation for ${r.unit} ${r.role}`);
      seen.add(key(r.unit, r.role));
      r.members.forEach((m) => {
        if (!this.registry.getPerson(m)) err(i, 'members', `unknown person ${m}`);
      });
    });
    doc.overrides.forEach((o, i) => {
      const idx = doc.rotations.length + i;
      if (!this.registry.getUnit(o.unit)) err(idx, 'unit', `unknown unit ${o.unit}`);
      for (const p of [o.person, o.kind === 'swap' ? o.with : o.kind === 'cover' ? o.replaces : undefined]) {
        if (p !== undefined && !this.registry.getPerson(p)) err(idx, 'person', `unknown person ${p}`);
      }
      const { from, to } = this.range(o, doc.timeZone);
      if (!(to > from)) err(idx, 'to', 'must be after from');
    });
    return errors;
  }

  /**
   * Imports a rosters section (from the registry document): upserts rotations by unit and role
   * and overrides by id. With `replaceUnits`, first removes everything of those units (API PUT).
   * On any error nothing is written.
   */
  import(
    doc: RostersInput,
    now: number,
    replaceUnits?: readonly string[],
  ): { ok: true } | { ok: false; errors: RosterError[] } {
    const errors = this.check(doc);
    if (errors.length > 0) return { ok: false, errors };
    const rot = this.db.prepare(`INSERT INTO duty_rotations
      (unit, role, period, handover, start_date, members, per_shift, time_zone, updated_at)
      VALUES (@unit, @role, @period, @handover, @startDate, @members, @perShift, @timeZone, @now)
      ON CONFLICT(unit, role) DO UPDATE SET period=excluded.period, handover=excluded.handover,
        start_date=excluded.start_date, members=excluded.members, per_shift=excluded.per_shift,
        time_zone=excluded.time_zone, updated_at=excluded.updated_at`);
    const ovr = this.db.prepare(`INSERT INTO duty_overrides
      (id, unit, role, kind, person, other, from_text, to_text, from_ms, to_ms, note, updated_at)
      VALUES (@id, @unit, @role, @kind, @person, @other, @fromText, @toText, @from, @to, @note, @now)
      ON CONFLICT(id) DO UPDATE SET unit=excluded.unit, role=excluded.role, kind=excluded.kind,
        person=excluded.person, other=excluded.other, from_text=excluded.from_text, to_text=excluded.to_text,
        from_ms=excluded.from_ms, to_ms=excluded.to_ms, note=excluded.note, updated_at=excluded.updated_at`);
    this.db.transaction(() => {
      for (const u of replaceUnits ?? []) {
        this.db.prepare('DELETE FROM duty_rotations WHERE unit = ?').run(u);
        this.db.prepare('DELETE FROM duty_overrides WHERE unit = ?').run(u);
      }
      for (const r of doc.rotations) {
        rot.run({
          ...r,
          members: JSON.stringify(r.members),
          timeZone: r.timeZone ?? doc.timeZone,
          now,
        });
      }
      for (const o of doc.overrides) {
        const { from, to } = this.range(o, doc.timeZone);
        ovr.run({
          id: o.id ?? `${o.kind}:${o.unit}:${o.role}:${o.person}:${o.from}`.slice(0, 64),
          unit: o.unit,
          role: o.role,
          kind: o.kind,
          person: o.person,
          other: o.kind === 'swap' ? o.with : o.kind === 'cover' ? (o.replaces ?? null) : null,
          fromText: o.from,
          toText: o.to,
          from,
          to,
          note: o.note ?? null,
          now,
        });
      }
    })();
    this.reload();
    return { ok: true };
  }

  /** Deletes overrides that ended before `before`; returns how many. */
  pruneOverrides(before: number): number {
    const n = this.db.prepare('DELETE FROM duty_overrides WHERE to_ms < ?').run(before).changes;
    if (n > 0) this.reload();
    return n;
  }

  /** A date means whole local days: from its midnight to the midnight after `to`'s date. */
  private range(o: { from: string; to: string; unit: string; role: string }, tz: string) {
    const zone = this.rotations.get(key(o.unit, o.role))?.timeZone ?? tz;
    const isDate = (s: string) => s.length === 10;
    return {
      from: isDate(o.from) ? startOfDay(parseDay(o.from), zone) : Date.parse(o.from),
      to: isDate(o.to) ? startOfDay(parseDay(o.to) + 1, zone) : Date.parse(o.to),
    };
  }
}
