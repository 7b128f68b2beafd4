import type { InferResponseType } from 'hono/client';
import type { UnitNode } from '../../../hub/src/api/routes/units.ts';
import { api } from './client.ts';
import { ok } from './http.ts';

/** Registry and telemetry reads of the hub's core API (typed from its routes), scoped to the person's units. */
export type { UnitNode };

export type DeviceRow = InferResponseType<typeof api.api.devices.$get, 200>['items'][number];
export type HouseholdRow = InferResponseType<typeof api.api.households.$get, 200>['items'][number];
export type HouseholdFull = InferResponseType<(typeof api.api.households)[':id']['$get'], 200>;
export type Point = InferResponseType<typeof api.api.positions.latest.$get, 200>['items'][number];

export async function unitTree(): Promise<UnitNode[]> {
  // hono's JSON typing stops at recursion (children: JSONValue); the hub's own node type says what it is
  return (await ok(api.api.units.$get())).roots as unknown as UnitNode[];
}

/** Every unit of the trees, depth first, with its depth (for indented pickers). */
export function flattenUnits(roots: readonly UnitNode[]): { unit: UnitNode; depth: number }[] {
  const out: { unit: UnitNode; depth: number }[] = [];
  const walk = (n: UnitNode, depth: number) => {
    out.push({ unit: n, depth });
    for (const c of n.children) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

export const getUnit = (id: string) => ok(api.api.units[':id'].$get({ param: { id } }));

const PAGE = 1000; // the hub's largest page
/** All pages of a list (bounded: a league is ≈100k devices; the map and tables cap what they ask for). */
async function allPages<T>(page: (offset: number) => Promise<{ items: T[]; total: number }>, max = 20_000) {
  const out: T[] = [];
  for (let offset = 0; offset < max; ) {
    const p = await page(offset);
    out.push(...p.items);
    offset += p.items.length;
    if (p.items.length === 0 || offset >= p.total) break;
  }
  return out;
}

export const listDevices = (q: { unit?: string; kind?: DeviceRow['kind'] } = {}) =>
  allPages((offset) =>
    ok(api.api.devices.$get({ query: { ...q, limit: String(PAGE), offset: String(offset) } })),
  );

export const listHouseholds = (q: { unit?: string } = {}) =>
  allPages((offset) =>
    ok(api.api.households.$get({ query: { ...q, limit: String(PAGE), offset: String(offset) } })),
  );

export const getHousehold = (id: string) => ok(api.api.households[':id'].$get({ param: { id } }));

export async function latestPositions(unit?: string): Promise<Point[]> {
  return (await ok(api.api.positions.latest.$get({ query: unit ? { unit } : {} }))).items;
}

export async function track(deviceId: string, from: number, to: number, maxPoints = 2000): Promise<Point[]> {
  const res = api.api.devices[':id'].track.$get({
    param: { id: deviceId },
    query: { from: String(from), to: String(to), maxPoints: String(maxPoints) },
  });
  return (await ok(res)).points;
}
