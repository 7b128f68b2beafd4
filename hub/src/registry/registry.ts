import type { RosterRows } from '../duty/roster-rows.ts';
import type { RowError } from './check.ts';
import type { RegistryDocument, Role } from './schema.ts';
import { type DeviceKey, hashDeviceSecret, hashSecret } from './secrets.ts';
import type {
  DeviceRecord,
  HouseholdRecord,
  PersonRecord,
  RegistrySnapshot,
  RegistryStore,
  RegistryWrite,
  TeamRecord,
  UnitRecord,
} from './store-port.ts';
import { type ImportPlan, planImport } from './plan.ts';

export type { DeviceRecord, HouseholdRecord, PersonRecord, TeamRecord, UnitRecord } from './store-port.ts';

export interface ImportSummary {
  units: number;
  households: number;
  teams: number;
  devices: number;
  people: number;
  rotations: number;
  overrides: number;
}
export type ImportResult = { ok: true; summary: ImportSummary } | { ok: false; errors: RowError[] };

/** A store whose adapter answers synchronously underneath (SQLite): fixtures and the CLI use it without awaiting. */
export interface SyncRegistryStore extends RegistryStore {
  loadNow(): RegistrySnapshot;
  importNow(w: RegistryWrite, now: number): void;
}

export interface RegistryOptions {
  /** The hub's key for device secrets (HMAC); without it plain device secrets get scrypt hashes. */
  deviceKey?: DeviceKey;
  /** Rotation time zones already stored (the roster store's), for overrides given as dates. */
  rosterZones?: (unit: string, role: string) => string | undefined;
}

/**
 * The registry as the hub reads it: every unit, household, patrol team, device and person in
 * memory, loaded from the store port at start (`reload`), updated after each write that went
 * through the port, and reloaded whole when the store says another writer changed it (the CLI;
 * another hub, later). Ingest, the broker's auth and ACL and every module read it synchronously,
 * so no registry lookup on the per-message path waits for a database. Records are frozen: they
 * are shared, never copied (the rules' pasture index holds the same polygons).
 */
export class Registry {
  private units = new Map<string, UnitRecord>();
  private households = new Map<string, HouseholdRecord>();
  private teams = new Map<string, TeamRecord>();
  private devices = new Map<string, DeviceRecord>();
  private people = new Map<string, PersonRecord>();
  /** Indexes over the maps, rebuilt on the first read after a change. */
  private index: Index | undefined;
  private readonly listeners = new Set<() => void>();
  private unwatch: (() => void) | undefined;

  constructor(
    readonly store: RegistryStore,
    private readonly opts: RegistryOptions = {},
  ) {}

  /** Loads the read model from the store and follows other writers' changes until `close()`. */
  static async open(store: RegistryStore, opts: RegistryOptions = {}): Promise<Registry> {
    const r = new Registry(store, opts);
    await r.reload();
    r.follow();
    return r;
  }
  /** `open` for a synchronous adapter (SQLite): ready when it returns. */
  static openNow(store: SyncRegistryStore, opts: RegistryOptions = {}): Registry {
    const r = new Registry(store, opts);
    r.replace(store.loadNow());
    r.follow();
    return r;
  }

  private follow(): void {
    this.unwatch ??= this.store.watch?.(() => {
      this.reload().catch(() => undefined); // the next change or call retries
    });
  }

  /** Loads everything again (another writer changed the store; a later multi-hub mode calls it on invalidation). */
  async reload(): Promise<void> {
    this.replace(await this.store.load());
  }

  /** Calls `fn` after every change of the read model (an import, a reload); returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  private replace(s: RegistrySnapshot): void {
    this.units = new Map(s.units.map((u) => [u.id, deepFreeze(u)]));
    this.households = new Map(s.households.map((h) => [h.id, deepFreeze(h)]));
    this.teams = new Map(s.teams.map((t) => [t.id, deepFreeze(t)]));
    this.devices = new Map(s.devices.map((d) => [d.id, deepFreeze(d)]));
    this.people = new Map(s.people.map((p) => [p.id, deepFreeze(p)]));
    this.changed();
  }

  private changed(): void {
    this.index = undefined;
    for (const fn of this.listeners) fn();
  }

  private get ix(): Index {
    this.index ??= buildIndex(this);
    return this.index;
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
      stack.push(...(this.ix.children.get(u) ?? []));
    }
    return out;
  }
  childrenOf(id: string): string[] {
    return this.ix.children.get(id) ?? [];
  }

  // ---- devices ----
  getDevice(id: string): DeviceRecord | undefined {
    return this.devices.get(id);
  }
  /** The unit a device answers to: its household's grid, or its patrol team's unit. */
  deviceUnit(device: DeviceRecord): string | undefined {
    if (device.household) return this.households.get(device.household)?.grid;
    if (device.team) return this.teams.get(device.team)?.unit;
    return undefined;
  }
  /** Every unit whose notices this device receives: its unit and all ancestors. Read on every device CONNECT. */
  deviceUnitChain(deviceId: string): string[] {
    const d = this.devices.get(deviceId);
    const unit = d && this.deviceUnit(d);
    return unit ? this.unitChain(unit).map((u) => u.id) : [];
  }
  /** Devices by id, optionally those answering to a unit or below it. */
  listDevices(opts: { unitId?: string; limit?: number; offset?: number } = {}): DeviceRecord[] {
    const limit = opts.limit ?? 1000;
    const offset = opts.offset ?? 0;
    if (!opts.unitId) return this.ix.devices.slice(offset, offset + limit).map((id) => this.devices.get(id)!);
    const units = new Set(this.descendants(opts.unitId));
    if (units.size === 0) return [];
    const out: DeviceRecord[] = [];
    let skip = offset;
    for (const id of this.ix.devices) {
      const d = this.devices.get(id)!;
      const u = this.deviceUnit(d);
      if (u === undefined || !units.has(u)) continue;
      if (skip > 0) skip--;
      else if (out.push(d) >= limit) break;
    }
    return out;
  }

  // ---- households, teams ----
  getHousehold(id: string): HouseholdRecord | undefined {
    return this.households.get(id);
  }
  householdsInUnit(unitId: string): HouseholdRecord[] {
    return this.descendants(unitId)
      .filter((u) => this.units.get(u)?.level === 'grid')
      .flatMap((g) => (this.ix.householdsOfGrid.get(g) ?? []).map((id) => this.households.get(id)!));
  }
  getTeam(id: string): TeamRecord | undefined {
    return this.teams.get(id);
  }

  // ---- people ----
  getPerson(id: string): PersonRecord | undefined {
    return this.people.get(id);
  }
  personByUsername(username: string): PersonRecord | undefined {
    const id = this.ix.byUsername.get(username);
    return id === undefined ? undefined : this.people.get(id);
  }
  /** People holding `role` exactly at `unitId` (not inherited from above). */
  peopleWithRole(unitId: string, role: Role): readonly PersonRecord[] {
    return (this.ix.byRole.get(`${unitId}\u0000${role}`) ?? []).map((id) => this.people.get(id)!);
  }

  // ---- writes: through the port, then into the read model ----

  /**
   * Checks the whole document (every section, rosters included) against itself and the
   * registry, then writes it in one transaction. Idempotent: importing the same document twice
   * changes nothing the second time (secrets given in plain text are re-hashed only when they
   * change). On any error nothing is written.
   */
  async importDocument(doc: RegistryDocument, now = Date.now()): Promise<ImportResult> {
    const plan = this.plan(doc);
    if (!plan.ok) return plan;
    await this.store.import(plan.write, now);
    this.apply(plan.write);
    return { ok: true, summary: plan.summary };
  }
  /** `importDocument` on a synchronous adapter (SQLite): for the CLI's one-shot commands and test fixtures. */
  importDocumentNow(doc: RegistryDocument, now = Date.now()): ImportResult {
    const store = this.store as Partial<SyncRegistryStore>;
    if (!store.importNow)
      throw new Error('importDocumentNow needs a synchronous store (SQLite); await importDocument() instead');
    const plan = this.plan(doc);
    if (!plan.ok) return plan;
    store.importNow(plan.write, now);
    this.apply(plan.write);
    return { ok: true, summary: plan.summary };
  }

  private plan(doc: RegistryDocument): ImportPlan {
    return planImport(doc, this, {
      deviceSecretHash: (s) => this.deviceSecretHash(s),
      ...(this.opts.deviceKey ? { deviceKey: this.opts.deviceKey } : {}),
      rosterZones: this.opts.rosterZones ?? (() => undefined),
    });
  }

  /** What the store now holds after `w`, without reading it back (the same keep-if-null rules as its upserts). */
  private apply(w: RegistryWrite): void {
    for (const u of w.units) this.units.set(u.id, deepFreeze(u));
    for (const h of w.households) this.households.set(h.id, deepFreeze(h));
    for (const t of w.teams) this.teams.set(t.id, deepFreeze(t));
    for (const d of w.devices) {
      const secretHash = d.secretHash ?? this.devices.get(d.id)?.secretHash ?? null;
      this.devices.set(d.id, deepFreeze({ ...d, secretHash }));
    }
    for (const p of w.people) {
      const was = this.people.get(p.id);
      this.people.set(
        p.id,
        deepFreeze({
          ...p,
          username: p.username ?? was?.username ?? null,
          passwordHash: p.passwordHash ?? was?.passwordHash ?? null,
        }),
      );
    }
    this.changed();
  }

  /** A new version of one record; the indexes hold ids, so they stay as they are (no rebuild per connect's rehash). */
  private update<T>(map: Map<string, T>, id: string, patch: Partial<T>): void {
    const was = map.get(id);
    if (was) map.set(id, deepFreeze({ ...was, ...patch }));
  }

  /** Stores a device's new secret hash; false when there is no such device. */
  async setDeviceSecretHash(id: string, hash: string, now = Date.now()): Promise<boolean> {
    const ok = await this.store.setDeviceSecretHash(id, hash, now);
    if (ok) this.update(this.devices, id, { secretHash: hash });
    return ok;
  }
  async setDeviceEnabled(id: string, enabled: boolean, now = Date.now()): Promise<boolean> {
    const ok = await this.store.setDeviceEnabled(id, enabled, now);
    if (ok) this.update(this.devices, id, { enabled });
    return ok;
  }
  async setPasswordHash(personId: string, hash: string, now = Date.now()): Promise<boolean> {
    const ok = await this.store.setPasswordHash(personId, hash, now);
    if (ok) this.update(this.people, personId, { passwordHash: hash });
    return ok;
  }

  /** How a new device secret is stored: HMAC under the hub's device key (scrypt when the registry has none). */
  deviceSecretHash(secret: string): string {
    return this.opts.deviceKey ? hashDeviceSecret(secret, this.opts.deviceKey) : hashSecret(secret, 'device');
  }

  get deviceKey(): DeviceKey | undefined {
    return this.opts.deviceKey;
  }

  /** @internal the maps, for the index */
  get records() {
    return { units: this.units, households: this.households, devices: this.devices, people: this.people };
  }
}

/** Ids, not records: a record replaced by a write is found through its map. */
interface Index {
  children: Map<string, string[]>;
  householdsOfGrid: Map<string, string[]>;
  devices: string[];
  byUsername: Map<string, string>;
  byRole: Map<string, string[]>;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

function buildIndex(r: Registry): Index {
  const { units, households, devices, people } = r.records;
  const ix: Index = {
    children: new Map(),
    householdsOfGrid: new Map(),
    devices: [...devices.values()].sort(byId).map((d) => d.id),
    byUsername: new Map(),
    byRole: new Map(),
  };
  for (const u of units.values()) if (u.parent) push(ix.children, u.parent, u.id);
  for (const h of [...households.values()].sort(byId)) push(ix.householdsOfGrid, h.grid, h.id);
  for (const p of [...people.values()].sort(byId)) {
    if (p.username) ix.byUsername.set(p.username, p.id);
    for (const role of p.roles) push(ix.byRole, `${role.unit}\u0000${role.role}`, p.id);
  }
  return ix;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export type { RosterRows };
