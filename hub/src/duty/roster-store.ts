import type { Registry } from '../registry/registry.ts';
import type { OverrideInput, Role, RostersInput, RotationInput } from '../registry/schema.ts';
import { type Db, migrate, otherWriterWatch } from '../state/db.ts';
import { SqliteRunner } from '../state/sqlite-run.ts';
import { dutyMigrations } from './migrations.ts';
import { type DutyAnswer, type Override, type Rotation, rotationFromInput, whoIsOnDuty } from './on-duty.ts';
import { checkRosters, rosterRows, rosterStatements } from './roster-rows.ts';

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
    private readonly registry: Registry,
    readonly defaultTimeZone = 'Asia/Shanghai',
  ) {
    migrate(db, 'duty', dutyMigrations);
    this.othersWrote = otherWriterWatch(db);
    this.reload();
    // a registry import writes its rosters section on this connection: reload after it
    this.unsubscribe = registry.onChange(() => this.reload());
  }

  private readonly unsubscribe: () => void;
  /** Stops following registry imports. */
  close(): void {
    this.unsubscribe();
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
    const rotations = doc.rotations.length;
    return checkRosters(
      doc,
      { hasUnit: (id) => !!this.registry.getUnit(id), hasPerson: (id) => !!this.registry.getPerson(id) },
      this.zoneOf,
    ).map((i) => ({
      section: 'rosters',
      index: i.list === 'rotations' ? i.index : rotations + i.index,
      field: i.field,
      reason: i.reason,
    }));
  }

  private readonly zoneOf = (unit: string, role: string) => this.rotations.get(key(unit, role))?.timeZone;

  /**
   * Imports a rosters section (PUT /rosters/:unit; the registry document's goes with the
   * registry import): upserts rotations by unit and role and overrides by id. With
   * `replaceUnits`, first removes everything of those units. On any error nothing is written.
   */
  import(
    doc: RostersInput,
    now: number,
    replaceUnits?: readonly string[],
  ): { ok: true } | { ok: false; errors: RosterError[] } {
    const errors = this.check(doc);
    if (errors.length > 0) return { ok: false, errors };
    const statements = rosterStatements('sqlite', rosterRows(doc, this.zoneOf, replaceUnits), now);
    const sql = new SqliteRunner(this.db);
    sql.transaction(() => {
      for (const s of statements) sql.run(s);
    });
    this.reload();
    return { ok: true };
  }

  /** Deletes overrides that ended before `before`; returns how many. */
  pruneOverrides(before: number): number {
    const n = this.db.prepare('DELETE FROM duty_overrides WHERE to_ms < ?').run(before).changes;
    if (n > 0) this.reload();
    return n;
  }
}
