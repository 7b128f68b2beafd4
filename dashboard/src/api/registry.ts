import type { Texts } from '@steppelink/protocols';
import type { UnitNode } from '../../../hub/src/api/routes/units.ts';
import type { DeviceView } from '../../../hub/src/api/scope.ts';
import type { Household } from '../../../hub/src/registry/schema.ts';
import type { HealthPoint, PositionPoint } from '../../../hub/src/telemetry/port.ts';
import { request } from './http.ts';

/** Registry and telemetry reads of the hub's core API, scoped by the hub to the person's units. */
export type { UnitNode };
export type Point = Omit<PositionPoint, 'msgId'>;

export interface DeviceRow extends DeviceView {
  online: boolean;
  lastSeen: number | null;
  connectedAt: number | null;
  disconnectedAt: number | null;
  health:
    | (Pick<HealthPoint, 't' | 'power' | 'outbox' | 'uptimeS' | 'agent'> & {
        battery: number | null;
        rssi: number | null;
      })
    | null;
}

export interface HouseholdRow {
  id: string;
  grid: string;
  name: string;
  phone: string | null;
  lang: string;
  location: { lat: number; lon: number };
  members: number;
}

export type HouseholdFull = Household & { phone: string | null; notes: string | null; devices: DeviceView[] };

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export async function unitTree(): Promise<UnitNode[]> {
  return (await request<{ roots: UnitNode[] }>('/api/units')).roots;
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

export function unitNames(roots: readonly UnitNode[]): Map<string, Texts> {
  return new Map(flattenUnits(roots).map(({ unit }) => [unit.id, unit.name]));
}

export function getUnit(id: string) {
  return request<{
    id: string;
    boundary?: { type: 'Polygon'; coordinates: [number, number][][] };
    center?: { lat: number; lon: number };
    name: Texts;
    level: string;
  }>(`/api/units/${encodeURIComponent(id)}`);
}

/** All pages of a list route (the hub caps a page at 1000). */
async function allPages<T>(
  path: string,
  query: Record<string, string | undefined>,
  max = 20_000,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; offset < max; ) {
    const page = await request<Page<T>>(path, { query: { ...query, limit: 1000, offset } });
    out.push(...page.items);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) break;
  }
  return out;
}

export const listDevices = (q: { unit?: string; kind?: string } = {}) =>
  allPages<DeviceRow>('/api/devices', q);
export const listHouseholds = (q: { unit?: string } = {}) => allPages<HouseholdRow>('/api/households', q);
export const getHousehold = (id: string) =>
  request<HouseholdFull>(`/api/households/${encodeURIComponent(id)}`);

export async function latestPositions(unit?: string): Promise<Point[]> {
  return (await request<{ items: Point[] }>('/api/positions/latest', { query: { unit } })).items;
}

export async function track(deviceId: string, from: number, to: number, maxPoints = 2000): Promise<Point[]> {
  const body = await request<{ points: Point[] }>(`/api/devices/${encodeURIComponent(deviceId)}/track`, {
    query: { from, to, maxPoints },
  });
  return body.points;
}
