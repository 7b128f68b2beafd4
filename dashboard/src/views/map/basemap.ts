import L from 'leaflet';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/**
 * The offline basemap under every other layer when the deployer serves no tiles: land and the
 * national borders from Natural Earth (1:50m, the `world-atlas` package), bundled with the
 * dashboard and loaded with the map's own chunk — nothing is fetched from the internet.
 */
export const BASEMAP_PANE = 'basemap';

type Countries = Topology<{ countries: GeometryCollection<{ name: string }> }>;

export async function basemapLayer(
  map: L.Map,
  /** Whether the map is still on the page once the data has loaded (an officer may have moved on). */
  shown: () => boolean,
): Promise<{ layer: L.LayerGroup; countries: number } | null> {
  const topo = (await import('world-atlas/countries-50m.json')).default as unknown as Countries;
  // A canvas renderer added to a map already taken down throws on its next redraw.
  if (!shown()) return null;
  if (!map.getPane(BASEMAP_PANE)) {
    const pane = map.createPane(BASEMAP_PANE);
    pane.style.zIndex = '150'; // under the tiles (200) and every overlay (400)
    pane.style.pointerEvents = 'none';
  }
  const renderer = L.canvas({ pane: BASEMAP_PANE });
  const countries = topo.objects.countries;
  const land = feature(topo, countries);
  const borders = mesh(topo, countries, (a, b) => a !== b); // shared edges: national borders only
  // (GeoJSON hands its options to each path it makes: the renderer draws them on the basemap pane)
  const base = { renderer, pane: BASEMAP_PANE, interactive: false } as L.GeoJSONOptions & L.PathOptions;
  const layer = L.layerGroup([
    L.geoJSON(land, { ...base, style: { stroke: false, fillColor: '#1a2131', fillOpacity: 1 } }),
    L.geoJSON(borders, { ...base, style: { color: '#9aa3bb', weight: 1.2, opacity: 0.9 } }),
  ]);
  return { layer: layer.addTo(map), countries: land.features.length };
}
