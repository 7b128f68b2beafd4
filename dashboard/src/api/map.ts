import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ok } from './http.ts';

/**
 * The map by viewport (GET /api/map/…): what lies in the box the officer looks at, clustered
 * where it would crowd, with the boundaries, names and pastures that fit the zoom.
 */
export type BBox = [west: number, south: number, east: number, north: number];

export type MapExtent = InferResponseType<typeof api.api.map.extent.$get, 200>;
export type HouseholdsView = InferResponseType<typeof api.api.map.households.$get, 200>;
export type DevicesView = InferResponseType<typeof api.api.map.devices.$get, 200>;
export type AreasView = InferResponseType<typeof api.api.map.areas.$get, 200>;
export type PointItem = HouseholdsView['items'][number] | DevicesView['items'][number];

const view = (bbox: BBox, zoom: number) => ({
  bbox: bbox.map((x) => x.toFixed(4)).join(','),
  zoom: String(Math.max(0, Math.min(22, Math.round(zoom)))),
});

export const mapExtent = () => ok(api.api.map.extent.$get({ query: {} }));

export async function loadView(bbox: BBox, zoom: number, init?: RequestInit) {
  const query = view(bbox, zoom);
  const [households, devices, areas] = await Promise.all([
    ok(api.api.map.households.$get({ query }, { init })),
    ok(api.api.map.devices.$get({ query }, { init })),
    ok(api.api.map.areas.$get({ query }, { init })),
  ]);
  return { households, devices, areas };
}
export type MapView = Awaited<ReturnType<typeof loadView>>;
