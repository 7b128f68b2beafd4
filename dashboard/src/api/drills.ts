import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ok } from './http.ts';

/**
 * Drills (the incidents module's /api/drills, issue #24), typed from the hub's routes: start a
 * drill SOS for a household or a unit, list those of the person's units, read one's report.
 */
export type DrillStart = InferRequestType<typeof api.api.drills.$post>['json'];
export type DrillCategory = NonNullable<DrillStart['category']>;
export type DrillRow = InferResponseType<typeof api.api.drills.$get, 200>['items'][number];
export type DrillReport = InferResponseType<(typeof api.api.drills)[':id']['report']['$get'], 200>;
export type PagedRow = DrillReport['paged'][number];

export const DRILL_CATEGORIES: readonly DrillCategory[] = ['medical', 'injury', 'fire', 'lost', 'other'];

export const startDrill = (body: DrillStart) => ok(api.api.drills.$post({ json: body }));

export const listDrills = async (): Promise<DrillRow[]> => (await ok(api.api.drills.$get())).items;

export const drillReport = (id: string) =>
  ok(api.api.drills[':id'].report.$get({ param: { id: encodeURIComponent(id) } }));

/** A household found for a drill: through its set-top box (the box is what hears the drill). */
export interface HouseholdHit {
  household: string;
  name: string;
  grid: string;
  box: string;
  online: boolean;
}

/**
 * Households whose name or id (or their box's id) contains `q`, through the devices search
 * (GET /api/devices?kind=settop&q=): the hub searches a league of thousands, not the browser.
 */
export async function findHouseholds(q: string, limit = 20): Promise<HouseholdHit[]> {
  const page = await ok(api.api.devices.$get({ query: { kind: 'settop', q, limit: String(limit * 2) } }));
  const seen = new Set<string>();
  const out: HouseholdHit[] = [];
  for (const d of page.items) {
    if (!d.household || seen.has(d.household) || !d.enabled) continue;
    seen.add(d.household);
    out.push({
      household: d.household,
      name: d.householdName ?? d.household,
      grid: d.unit ?? '',
      box: d.id,
      online: d.online,
    });
  }
  return out.slice(0, limit);
}
