import type { Texts } from '@steppelink/protocols';
import { Lru } from '../lru.ts';
import { type Db, migrate, otherWriterWatch } from '../state/db.ts';
import { checkDocument, type RowError } from './check.ts';
import { registryMigrations } from './migrations.ts';
import type {
  DeviceKind,
  Household,
  PolygonGeometry,
  RegistryDocument,
  Role,
  Unit,
  UnitLevel,
} from './schema.ts';
import { type DeviceKey, hashDeviceSecret, hashSecret, isHashedSecret, verifySecretSync } from './secrets.ts';

export interface UnitRecord {
  id: string;
  level: UnitLevel;
  parent: string | null;
  name: Texts;
  center?: { lat: number; lon: number };
  boundary?: PolygonGeometry;
}
export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  household: string | null;
  team: string | null;
  label: string | null;
  enabled: boolean;
  secretHash: string | null;
}
export type HouseholdRecord = Household;
export interface PersonRecord {
  id: string;
  name: string;
  phone: string | null;
  lang: 'zh' | 'mn' | 'en';
  team: string | null;
  username: string | null;
  passwordHash: string | null;
  roles: { role: Role; unit: string }[];
}
export interface ImportSummary {
  units: number;
  households: number;
  teams: number;
  devices: number;
  people: number;
}
export type ImportResult = { ok: true; summary: ImportSummary } | { ok: false; errors: RowError[] };

type Row = Record<string, unknown>;

/**
 * The registry of units, households, patrol teams, devices and people, in the state database.
 * Units are few (a league has ~5k grids and villages) and read on every routing decision, so
 * they are cached in memory and reloaded after each import.
 */
/** Registry records kept in memory: the people of a banner and the households of the SOS in hand. */
const REGISTRY_CACHE_ENTRIES = 2_000;

export class RegistryStore {
  private units = new Map<string, UnitRecord>();
  /**
   * Point lookups (device, household, team, person) read on every SOS are cached, frozen, in a
   * bounded LRU (a household record carries its pasture polygon: caching a whole league would
   * cost hundreds of MB on a Pi).
   * Dropped when this store writes, or when another connection (the CLI) commits — SQLite's
   * data_version, one cheap prepared PRAGMA per lookup.
   */
  private readonly cache = new Lru<string, { value: unknown }>(REGISTRY_CACHE_ENTRIES);
  private readonly othersWrote;
  private children = new Map<string, string[]>();
  private readonly stmt;

  /** `deviceKey`: the hub's key for device secrets (HMAC); without it plain device secrets get scrypt hashes. */
  constructor(
    private readonly db: Db,
    private readonly opts: { deviceKey?: DeviceKey } = {},
  ) {
    migrate(db, 'registry', registryMigrations);
    this.othersWrote = otherWriterWatch(db);
    this.stmt = {
      device: db.prepare('SELECT * FROM devices WHERE id = ?'),
      household: db.prepare('SELECT * FROM households WHERE id = ?'),
      householdsInGrid: db.prepare('SELECT * FROM households WHERE grid = ? ORDER BY id'),
      team: db.prepare('SELECT * FROM teams WHERE id = ?'),
      person: db.prepare('SELECT * FROM people WHERE id = ?'),
      personByUsername: db.prepare('SELECT * FROM people WHERE username = ?'),
      rolesOf: db.prepare('SELECT role, unit FROM person_roles WHERE person = ? ORDER BY unit, role'),
      peopleWithRole: db.prepare(
        'SELECT p.* FROM people p JOIN person_roles r ON r.person = p.id WHERE r.unit = ? AND r.role = ? ORDER BY p.id',
      ),
      setSecret: db.prepare('UPDATE devices SET secret_hash = ?, updated_at = ? WHERE id = ?'),
      deviceUnitOf: db
        .prepare(
          `SELECT coalesce(h.grid, t.unit) FROM devices d LEFT JOIN households h ON h.id = d.household
           LEFT JOIN teams t ON t.id = d.team WHERE d.id = ?`,
        )
        .pluck(),
      setEnabled: db.prepare('UPDATE devices SET enabled = ?, updated_at = ? WHERE id = ?'),
    };
    this.reloadUnits();
  }

  private reloadUnits(): void {
    this.units.clear();
    this.children.clear();
    for (const r of this.db.prepare('SELECT * FROM units').all() as Row[]) {
      const u: UnitRecord = {
        id: r.id as string,
        level: r.level as UnitLevel,
        parent: (r.parent as string | null) ?? null,
        name: { zh: r.name_zh as string, mn: r.name_mn as string, en: r.name_en as string },
      };
      if (r.center_lat !== null) u.center = { lat: r.center_lat as number, lon: r.center_lon as number };
      if (r.boundary) u.boundary = JSON.parse(r.boundary as string);
      this.units.set(u.id, u);
      if (u.parent) this.children.set(u.parent, [...(this.children.get(u.parent) ?? []), u.id]);
    }
  }

  /** Forget cached records; call after writing registry tables through another path. */
  invalidate(): void {
    this.cache.clear();
  }

  private cached<T>(key: string, load: () => T | undefined): T | undefined {
    if (this.othersWrote()) this.cache.clear();
    const hit = this.cache.get(key);
    if (hit) return hit.value as T | undefined;
    const value = load();
    this.cache.set(key, { value: value === undefined ? undefined : deepFreeze(value) });
    return value;
  }

  // ---- units ----
  getUnit(id: string): UnitRecord | undefined {
    return this.units.get(id);
  }
  allUnits(): UnitRecord[] {
    return [...this.units.values()];
  }
  /** The unit and its ancestors, nearest first: grid, gacha, sumu, banner, league. */
  unitChain(id: string): UnitRecord[] {
    const chain: UnitRecord[] = [];
    for (
      let u = this.units.get(id);
      u && chain.length < 10;
      u = u.parent ? this.units.get(u.parent) : undefined
    ) {
      chain.push(u);
    }
    return chain;
  }
  /** True when `unitId` is `scopeId` or lies below it. */
  isWithin(unitId: string, scopeId: string): boolean {
    return this.unitChain(unitId).some((u) => u.id === scopeId);
  }
  /** The unit and every unit below it. */
  descendants(id: string): string[] {
    const out: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const u = stack.pop()!;
      if (!this.units.has(u)) continue;
      out.push(u);
      stack.push(...(this.children.get(u) ?? []));
    }
    return out;
  }
  childrenOf(id: string): string[] {
    return this.children.get(id) ?? [];
  }

  // ---- devices ----
  getDevice(id: string): DeviceRecord | undefined {
    return this.cached(`d:${id}`, () => {
      const r = this.stmt.device.get(id) as Row | undefined;
      return r ? toDevice(r) : undefined;
    });
  }
  /** The unit a device answers to: its household's grid, or its patrol team's unit. */
  deviceUnit(device: DeviceRecord): string | undefined {
    if (device.household) return this.getHousehold(device.household)?.grid;
    if (device.team) return this.getTeam(device.team)?.unit;
    return undefined;
  }
  /**
   * Every unit whose notices this device receives: its unit and all ancestors. Read on every
   * device CONNECT, so one indexed join (no household record with its pasture polygon parsed).
   */
  deviceUnitChain(deviceId: string): string[] {
    const unit = this.stmt.deviceUnitOf.get(deviceId) as string | null | undefined;
    return unit ? this.unitChain(unit).map((u) => u.id) : [];
  }
  listDevices(opts: { unitId?: string; limit?: number; offset?: number } = {}): DeviceRecord[] {
    const limit = opts.limit ?? 1000;
    const offset = opts.offset ?? 0;
    if (!opts.unitId) {
      return (
        this.db.prepare('SELECT * FROM devices ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as Row[]
      ).map(toDevice);
    }
    const units = this.descendants(opts.unitId);
    if (units.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT d.* FROM devices d LEFT JOIN households h ON h.id = d.household LEFT JOIN teams t ON t.id = d.team
         WHERE coalesce(h.grid, t.unit) IN (SELECT value FROM json_each(?)) ORDER BY d.id LIMIT ? OFFSET ?`,
      )
      .all(JSON.stringify(units), limit, offset) as Row[];
    return rows.map(toDevice);
  }
  setDeviceSecretHash(id: string, hash: string): boolean {
    this.invalidate();
    return this.stmt.setSecret.run(hash, Date.now(), id).changes === 1;
  }
  setDeviceEnabled(id: string, enabled: boolean): boolean {
    this.invalidate();
    return this.stmt.setEnabled.run(enabled ? 1 : 0, Date.now(), id).changes === 1;
  }

  // ---- households, teams ----
  getHousehold(id: string): HouseholdRecord | undefined {
    return this.cached(`h:${id}`, () => {
      const r = this.stmt.household.get(id) as Row | undefined;
      return r ? toHousehold(r) : undefined;
    });
  }
  householdsInUnit(unitId: string): HouseholdRecord[] {
    return this.descendants(unitId)
      .filter((u) => this.units.get(u)?.level === 'grid')
      .flatMap((g) => (this.stmt.householdsInGrid.all(g) as Row[]).map(toHousehold));
  }
  getTeam(id: string): { id: string; unit: string; name: string } | undefined {
    return this.cached(
      `t:${id}`,
      () => this.stmt.team.get(id) as { id: string; unit: string; name: string } | undefined,
    );
  }

  // ---- people ----
  getPerson(id: string): PersonRecord | undefined {
    return this.cached(`p:${id}`, () => {
      const r = this.stmt.person.get(id) as Row | undefined;
      return r ? this.toPerson(r) : undefined;
    });
  }
  personByUsername(username: string): PersonRecord | undefined {
    const r = this.stmt.personByUsername.get(username) as Row | undefined;
    return r ? this.toPerson(r) : undefined;
  }
  /** People holding `role` exactly at `unitId` (not inherited from above). */
  peopleWithRole(unitId: string, role: Role): readonly PersonRecord[] {
    return (
      this.cached(`r:${unitId}:${role}`, () =>
        (this.stmt.peopleWithRole.all(unitId, role) as Row[]).map((r) => this.toPerson(r)),
      ) ?? []
    );
  }
  private toPerson(r: Row): PersonRecord {
    return {
      id: r.id as string,
      name: r.name as string,
      phone: (r.phone as string | null) ?? null,
      lang: r.lang as PersonRecord['lang'],
      team: (r.team as string | null) ?? null,
      username: (r.username as string | null) ?? null,
      passwordHash: (r.password_hash as string | null) ?? null,
      roles: this.stmt.rolesOf.all(r.id) as PersonRecord['roles'],
    };
  }

  // ---- import ----
  /**
   * Validates the whole document against itself and the store, then upserts it in one
   * transaction. Idempotent: importing the same document twice changes nothing the second time
   * (secrets given in plain text are re-hashed only when they change). On any error nothing is written.
   */
  importDocument(doc: RegistryDocument, now = Date.now()): ImportResult {
    const errors = checkDocument(doc, {
      unitLevel: (id) => this.units.get(id)?.level,
      hasHousehold: (id) => this.stmt.household.get(id) !== undefined,
      hasTeam: (id) => this.stmt.team.get(id) !== undefined,
      usernameOwner: (u) => (this.stmt.personByUsername.get(u) as Row | undefined)?.id as string | undefined,
    });
    if (errors.length > 0) return { ok: false, errors };
    const tx = this.db.transaction(() => this.upsert(doc, now));
    this.invalidate();
    tx();
    this.invalidate();
    this.reloadUnits();
    return {
      ok: true,
      summary: {
        units: doc.units.length,
        households: doc.households.length,
        teams: doc.teams.length,
        devices: doc.devices.length,
        people: doc.people.length,
      },
    };
  }

  private upsert(doc: RegistryDocument, now: number): void {
    const db = this.db;
    const unit =
      db.prepare(`INSERT INTO units (id, level, parent, name_zh, name_mn, name_en, center_lat, center_lon, boundary, updated_at)
      VALUES (@id, @level, @parent, @zh, @mn, @en, @lat, @lon, @boundary, @now)
      ON CONFLICT(id) DO UPDATE SET level=excluded.level, parent=excluded.parent, name_zh=excluded.name_zh,
        name_mn=excluded.name_mn, name_en=excluded.name_en, center_lat=excluded.center_lat, center_lon=excluded.center_lon,
        boundary=excluded.boundary, updated_at=excluded.updated_at`);
    // Parents first, whatever order the file lists them in.
    const depth = (u: Unit) => ['league', 'banner', 'sumu', 'gacha', 'grid'].indexOf(u.level);
    for (const u of [...doc.units].sort((a, b) => depth(a) - depth(b))) {
      unit.run({
        id: u.id,
        level: u.level,
        parent: u.parent,
        ...u.name,
        lat: u.center?.lat ?? null,
        lon: u.center?.lon ?? null,
        boundary: u.boundary ? JSON.stringify(u.boundary) : null,
        now,
      });
    }
    const hh =
      db.prepare(`INSERT INTO households (id, grid, name, phone, lang, lat, lon, pasture, members, notes, updated_at)
      VALUES (@id, @grid, @name, @phone, @lang, @lat, @lon, @pasture, @members, @notes, @now)
      ON CONFLICT(id) DO UPDATE SET grid=excluded.grid, name=excluded.name, phone=excluded.phone, lang=excluded.lang,
        lat=excluded.lat, lon=excluded.lon, pasture=excluded.pasture, members=excluded.members, notes=excluded.notes,
        updated_at=excluded.updated_at`);
    for (const h of doc.households) {
      hh.run({
        id: h.id,
        grid: h.grid,
        name: h.name,
        phone: h.phone ?? null,
        lang: h.lang,
        lat: h.location.lat,
        lon: h.location.lon,
        pasture: h.pasture ? JSON.stringify(h.pasture) : null,
        members: JSON.stringify(h.members),
        notes: h.notes ?? null,
        now,
      });
    }
    const team = db.prepare(`INSERT INTO teams (id, unit, name, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET unit=excluded.unit, name=excluded.name, updated_at=excluded.updated_at`);
    for (const t of doc.teams) team.run(t.id, t.unit, t.name, now);

    const dev =
      db.prepare(`INSERT INTO devices (id, kind, household, team, label, enabled, secret_hash, updated_at)
      VALUES (@id, @kind, @household, @team, @label, @enabled, @secret, @now)
      ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, household=excluded.household, team=excluded.team,
        label=excluded.label, enabled=excluded.enabled, secret_hash=coalesce(excluded.secret_hash, devices.secret_hash),
        updated_at=excluded.updated_at`);
    for (const d of doc.devices) {
      dev.run({
        id: d.id,
        kind: d.kind,
        household: d.household ?? null,
        team: d.team ?? null,
        label: d.label ?? null,
        enabled: d.enabled ? 1 : 0,
        secret:
          d.secret === undefined
            ? null
            : this.secretHashFor(d.secret, this.getDevice(d.id)?.secretHash, 'device'),
        now,
      });
    }
    const person =
      db.prepare(`INSERT INTO people (id, name, phone, lang, team, username, password_hash, updated_at)
      VALUES (@id, @name, @phone, @lang, @team, @username, @hash, @now)
      ON CONFLICT(id) DO UPDATE SET name=excluded.name, phone=excluded.phone, lang=excluded.lang, team=excluded.team,
        username=coalesce(excluded.username, people.username), password_hash=coalesce(excluded.password_hash, people.password_hash),
        updated_at=excluded.updated_at`);
    const clearRoles = db.prepare('DELETE FROM person_roles WHERE person = ?');
    const role = db.prepare('INSERT OR IGNORE INTO person_roles (person, role, unit) VALUES (?, ?, ?)');
    for (const p of doc.people) {
      const existing = this.stmt.person.get(p.id) as Row | undefined;
      person.run({
        id: p.id,
        name: p.name,
        phone: p.phone ?? null,
        lang: p.lang,
        team: p.team ?? null,
        username: p.login?.username ?? null,
        hash: p.login
          ? this.secretHashFor(p.login.password, existing?.password_hash as string | undefined, 'password')
          : null,
        now,
      });
      clearRoles.run(p.id);
      for (const r of p.roles) role.run(p.id, r.role, r.unit);
    }
  }

  /** Keeps an existing hash when the plain secret still matches it, so re-imports are cheap and idempotent. */
  private secretHashFor(
    secret: string,
    existing: string | null | undefined,
    cost: 'device' | 'password',
  ): string {
    if (isHashedSecret(secret)) return secret;
    if (existing && verifySecretSync(secret, existing, this.opts.deviceKey)) return existing;
    return cost === 'device' ? this.deviceSecretHash(secret) : hashSecret(secret, cost);
  }

  /** How a new device secret is stored: HMAC under the hub's device key (scrypt when the store has none). */
  deviceSecretHash(secret: string): string {
    return this.opts.deviceKey ? hashDeviceSecret(secret, this.opts.deviceKey) : hashSecret(secret, 'device');
  }

  get deviceKey(): DeviceKey | undefined {
    return this.opts.deviceKey;
  }
}

function toDevice(r: Row): DeviceRecord {
  return {
    id: r.id as string,
    kind: r.kind as DeviceKind,
    household: (r.household as string | null) ?? null,
    team: (r.team as string | null) ?? null,
    label: (r.label as string | null) ?? null,
    enabled: r.enabled === 1,
    secretHash: (r.secret_hash as string | null) ?? null,
  };
}

function toHousehold(r: Row): HouseholdRecord {
  const h: HouseholdRecord = {
    id: r.id as string,
    grid: r.grid as string,
    name: r.name as string,
    lang: r.lang as 'zh' | 'mn',
    location: { lat: r.lat as number, lon: r.lon as number },
    members: JSON.parse(r.members as string),
  };
  if (r.phone) h.phone = r.phone as string;
  if (r.pasture) h.pasture = JSON.parse(r.pasture as string);
  if (r.notes) h.notes = r.notes as string;
  return h;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
