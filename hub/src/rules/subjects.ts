import type { DeviceKind, Household } from '../registry/schema.ts';
import type { Registry, UnitRecord } from '../registry/registry.ts';
import { type Area, AreaIndex } from './geo/areas.ts';
import type { FenceZone } from './zones.ts';

/** Who a device answers to, with the units alerts are routed to. */
export type Owner =
  | {
      type: 'household';
      householdId: string;
      name: string;
      gridId: string;
      gachaId: string | undefined;
      /** The township: its police-civilian service station is notified of border alerts. */
      sumuId: string | undefined;
      bannerId: string | undefined;
    }
  | { type: 'team'; teamId: string; name: string; unitId: string; bannerId: string | undefined };

export interface DeviceContext {
  deviceId: string;
  kind: DeviceKind;
  owner: Owner;
}

export interface PastureRef {
  householdId: string;
  name: string;
  source: 'pasture' | 'fence';
}

/**
 * Resolves devices to their owners and households to the areas their herds may graze (the
 * contracted pasture from the registry plus any virtual fences). Pastures of the whole registry
 * sit in one flatbush index (built at start and on `reload()`) so that a stray can be told whose
 * pasture it wandered into. Device lookups are cached (bounded) until the next reload.
 */
export class Subjects {
  private readonly cache = new Map<string, DeviceContext | null>();
  private readonly settops = new Map<string, number>();
  private allowed = new Map<string, Area<PastureRef>[]>();
  pastures = new AreaIndex<PastureRef>([]);

  constructor(
    private readonly registry: Registry,
    private readonly maxCached: number,
  ) {}

  /** Rebuilds the pasture index from the registry and the fence zones; forgets cached devices. */
  reload(fences: readonly FenceZone[]): void {
    this.cache.clear();
    this.settops.clear();
    const items: { geometry: Area<PastureRef>['geometry']; data: PastureRef }[] = [];
    const names = new Map<string, string>();
    for (const h of this.allHouseholds()) {
      names.set(h.id, h.name);
      if (h.pasture)
        items.push({ geometry: h.pasture, data: { householdId: h.id, name: h.name, source: 'pasture' } });
    }
    for (const f of fences) {
      const id = f.properties.householdId;
      items.push({
        geometry: f.geometry,
        data: { householdId: id, name: names.get(id) ?? id, source: 'fence' },
      });
    }
    this.pastures = new AreaIndex(items);
    this.allowed = new Map();
    for (const a of this.pastures.areas) {
      const list = this.allowed.get(a.data.householdId) ?? [];
      list.push(a);
      this.allowed.set(a.data.householdId, list);
    }
  }

  /** Where this household's herd may be; empty when it has no pasture on record (no stray rule then). */
  allowedAreas(householdId: string): readonly Area<PastureRef>[] {
    return this.allowed.get(householdId) ?? [];
  }

  device(deviceId: string): DeviceContext | undefined {
    const hit = this.cache.get(deviceId);
    if (hit !== undefined) return hit ?? undefined;
    const ctx = this.resolve(deviceId);
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(deviceId, ctx ?? null);
    return ctx;
  }

  unitName(unitId: string): UnitRecord['name'] | undefined {
    return this.registry.getUnit(unitId)?.name;
  }

  private resolve(deviceId: string): DeviceContext | undefined {
    const d = this.registry.getDevice(deviceId);
    if (!d?.enabled) return undefined;
    if (d.household) {
      const h = this.registry.getHousehold(d.household);
      if (!h) return undefined;
      const at = this.levels(h.grid);
      return {
        deviceId,
        kind: d.kind,
        owner: {
          type: 'household',
          householdId: h.id,
          name: h.name,
          gridId: h.grid,
          gachaId: at.gacha,
          sumuId: at.sumu,
          bannerId: at.banner,
        },
      };
    }
    const team = d.team ? this.registry.getTeam(d.team) : undefined;
    if (!team) return undefined;
    return {
      deviceId,
      kind: d.kind,
      owner: {
        type: 'team',
        teamId: team.id,
        name: team.name,
        unitId: team.unit,
        bannerId: this.levels(team.unit).banner,
      },
    };
  }

  /** Enabled set-top boxes of households in a unit (e.g. a gacha), cached until the next reload. */
  settopCount(unitId: string): number {
    let n = this.settops.get(unitId);
    if (n === undefined) {
      n = this.registry
        .listDevices({ unitId, limit: 1_000_000 })
        .filter((d) => d.kind === 'settop' && d.enabled && d.household).length;
      this.settops.set(unitId, n);
    }
    return n;
  }

  /** The unit and its ancestors, nearest first. */
  chain(unitId: string): string[] {
    return this.registry.unitChain(unitId).map((u) => u.id);
  }

  /** The gacha, sumu and banner above (or at) a unit. */
  levels(unitId: string): { gacha?: string; sumu?: string; banner?: string } {
    const out: { gacha?: string; sumu?: string; banner?: string } = {};
    for (const u of this.registry.unitChain(unitId)) {
      if (u.level === 'gacha' || u.level === 'sumu' || u.level === 'banner') out[u.level] ??= u.id;
    }
    return out;
  }

  private allHouseholds(): Household[] {
    return this.registry
      .allUnits()
      .filter((u) => u.parent === null)
      .flatMap((root) => this.registry.householdsInUnit(root.id));
  }
}

/** The unit a device's own alerts (offline, battery) go to: its household's grid or its team's unit. */
export const ownerUnit = (o: Owner): string => (o.type === 'household' ? o.gridId : o.unitId);
