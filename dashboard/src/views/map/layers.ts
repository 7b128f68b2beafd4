import L from 'leaflet';
import type { CoverageSegment, FeatureCollection } from '../../api/geo.ts';
import type { Incident } from '../../api/incidents.ts';
import type { AreasView, DevicesView, HouseholdsView } from '../../api/map.ts';
import type { Point } from '../../api/registry.ts';
import { COVERAGE_COLORS, coverageBand, KIND_COLORS, OFFLINE_COLOR } from './colors.ts';

/** Builders of the map's layers from API data; each returns a Leaflet layer group. */
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A marker with a name screen readers and tests can find (Leaflet draws circle markers as bare SVG
 * paths): the tooltip text, and an accessible name set on its element once it is on the map.
 */
function named<T extends L.Path | L.Marker>(layer: T, name: string, tip?: L.TooltipOptions): T {
  layer.bindTooltip(esc(name), tip);
  layer.on('add', () => {
    const el = layer.getElement();
    if (!el) return;
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', name);
  });
  return layer;
}

export function borderLayer(zones: FeatureCollection): L.GeoJSON {
  return L.geoJSON(zones as GeoJSON.FeatureCollection, {
    filter: (f) => f.properties?.kind === 'border',
    style: { color: '#ff5c8a', weight: 3, dashArray: '8 6' },
  });
}

/** Grazing-ban and rest-grazing areas, virtual fences and patrol bases from the rules' zones. */
export function zonesLayer(zones: FeatureCollection): L.GeoJSON {
  return L.geoJSON(zones as GeoJSON.FeatureCollection, {
    filter: (f) => f.properties?.kind !== 'border',
    style: (f) =>
      f?.properties?.kind === 'ban'
        ? { color: '#e5484d', weight: 1, fillOpacity: 0.08, dashArray: '4 4' }
        : { color: '#5fd4c4', weight: 1, fillOpacity: 0.05 },
  });
}

export function coverageLayer(segments: CoverageSegment[], now: number): L.FeatureGroup {
  const g = L.featureGroup();
  for (const s of segments) {
    const band = coverageBand(s.lastPatrolledAt, now);
    L.polyline(
      s.coordinates.map(([lon, lat]) => [lat, lon] as [number, number]),
      { color: COVERAGE_COLORS[band], weight: 7, opacity: 0.85, className: `cov cov-${band}` },
    ).addTo(g);
  }
  return g;
}

/** Draw order of names: a banner's before a sumu's before a gacha's; a name that would overlap one placed earlier is hidden. */
const LABEL_RANK: Record<string, number> = { league: 0, banner: 1, sumu: 2, gacha: 3, grid: 4 };
const BOUNDARY_STYLE: Record<string, L.PathOptions> = {
  league: { color: '#c9d1ea', weight: 2.5 },
  banner: { color: '#c9d1ea', weight: 2 },
  sumu: { color: '#9aa4c7', weight: 1.5, dashArray: '6 4' },
  gacha: { color: '#7d88ad', weight: 1, dashArray: '3 4' },
  grid: { color: '#66719a', weight: 0.8, dashArray: '2 3' },
};

type AreaUnit = AreasView['units'][number];

/** Administrative boundaries in the view, and the names that fit its zoom (decluttered after drawing). */
export function unitsLayer(units: AreaUnit[], name: (u: AreaUnit) => string): L.FeatureGroup {
  const g = L.featureGroup();
  for (const u of units) {
    if (u.boundary) {
      L.polygon(
        u.boundary.map((ring) => ring.map(([lon, lat]) => [lat, lon] as [number, number])),
        { ...BOUNDARY_STYLE[u.level], fill: false, interactive: false },
      ).addTo(g);
    }
    if (u.label && u.center) {
      L.marker([u.center.lat, u.center.lon], {
        icon: L.divIcon({
          className: `unit-label level-${u.level}`,
          html: `<span data-rank="${LABEL_RANK[u.level] ?? 9}">${esc(name(u))}</span>`,
          iconSize: undefined,
        }),
        interactive: false,
        keyboard: false,
        zIndexOffset: 500, // names over clusters; alerts (1000, SOS 3000) over names
      }).addTo(g);
    }
  }
  return g;
}

/**
 * Names that would overlap are not drawn: higher levels first (banner, sumu, gacha, grid), each
 * kept only if it clears every name already kept and every alert's permanent label. Run after each
 * draw and zoom; returns how many names are shown.
 */
export function declutterLabels(container: HTMLElement, padPx = 3): number {
  const kept: DOMRect[] = Array.from(container.querySelectorAll('.leaflet-tooltip.alert-tip')).map((e) =>
    e.getBoundingClientRect(),
  );
  const labels = Array.from(container.querySelectorAll<HTMLElement>('.unit-label span')).sort(
    (a, b) => Number(a.dataset.rank) - Number(b.dataset.rank),
  );
  let shown = 0;
  for (const el of labels) {
    el.parentElement!.classList.remove('label-hidden');
    const r = el.getBoundingClientRect();
    const clash = kept.some(
      (k) =>
        r.left < k.right + padPx &&
        r.right > k.left - padPx &&
        r.top < k.bottom + padPx &&
        r.bottom > k.top - padPx,
    );
    if (clash) el.parentElement!.classList.add('label-hidden');
    else {
      kept.push(r);
      shown++;
    }
  }
  return shown;
}

/** Pastures in the view (sent only from the zoom where they are more than a dot). */
export function pasturesLayer(pastures: AreasView['pastures']): L.FeatureGroup {
  const g = L.featureGroup();
  for (const p of pastures) {
    L.polygon(
      p.rings.map((ring) => ring.map(([lon, lat]) => [lat, lon] as [number, number])),
      { color: '#7bc96f', weight: 1, fillOpacity: 0.12, interactive: false },
    ).addTo(g);
  }
  return g;
}

type ClusterItem = Extract<HouseholdsView['items'][number], { type: 'cluster' }>;

/** A cluster: a badge with its count, sized by it, named for screen readers; a click zooms in to where it splits. */
function clusterMarker(
  c: ClusterItem,
  kind: 'hh' | 'dev',
  name: string,
  open: (lat: number, lon: number, zoom: number) => void,
): L.Marker {
  // device clusters are smaller and sit to the lower right of their point, so a camp's household
  // badge and its devices' badge are both readable where they coincide
  const size = Math.round((kind === 'hh' ? 24 : 18) + (kind === 'hh' ? 9 : 6) * Math.log10(c.count));
  const share =
    c.online === undefined ? '' : c.online === c.count ? ' all-on' : c.online === 0 ? ' all-off' : '';
  const m = named(
    L.marker([c.lat, c.lon], {
      icon: L.divIcon({
        className: `cluster cluster-${kind}${share}`,
        html: `<span>${c.count}</span>`,
        iconSize: [size, size],
        ...(kind === 'dev' ? { iconAnchor: [-2, -2] as L.PointExpression } : {}),
      }),
      keyboard: false, // the devices and households pages list the same; the map's keys pan and zoom
      riseOnHover: true,
    }),
    name,
  );
  m.on('click', () => open(c.lat, c.lon, c.zoom));
  return m;
}

/**
 * Up to this many point markers are drawn as SVG, each an element with its name (screen readers,
 * tests); more go on the map's one canvas, which draws thousands faster but names none.
 */
export const NAMED_MARKERS_MAX = 400;

/** Households in the view: clusters where camps crowd, each camp on its own where there is room. */
export function householdsLayer(
  items: HouseholdsView['items'],
  clusterName: (n: number) => string,
  open: (lat: number, lon: number, zoom: number) => void,
): L.FeatureGroup {
  const g = L.featureGroup();
  const renderer = items.length <= NAMED_MARKERS_MAX ? L.svg() : undefined;
  for (const h of items) {
    if (h.type === 'cluster') clusterMarker(h, 'hh', clusterName(h.count), open).addTo(g);
    else
      named(
        L.circleMarker([h.lat, h.lon], {
          ...(renderer ? { renderer } : {}),
          radius: 4,
          color: '#c9d1ea',
          weight: 1,
          fillOpacity: 0.6,
        }),
        h.name,
      ).addTo(g);
  }
  return g;
}

type DeviceItem = Extract<DevicesView['items'][number], { type: 'device' }>;

/** Devices in the view where they are: colour by kind, grey when offline, trackers as squares; clusters where they crowd. */
export function devicesLayer(
  items: DevicesView['items'],
  label: (d: DeviceItem) => string,
  clusterName: (n: number, online: number) => string,
  open: (lat: number, lon: number, zoom: number) => void,
): L.FeatureGroup {
  const g = L.featureGroup();
  const renderer = items.length <= NAMED_MARKERS_MAX ? L.svg() : undefined;
  for (const d of items) {
    if (d.type === 'cluster') {
      clusterMarker(d, 'dev', clusterName(d.count, d.online ?? 0), open).addTo(g);
      continue;
    }
    const color = d.online ? (KIND_COLORS[d.kind] ?? '#fff') : OFFLINE_COLOR;
    const marker =
      d.kind === 'tracker'
        ? L.marker([d.lat, d.lon], {
            icon: L.divIcon({
              className: `dev-square ${d.online ? 'on' : 'off'}`,
              html: `<i style="background:${color}"></i>`,
              iconSize: [12, 12],
            }),
          })
        : L.circleMarker([d.lat, d.lon], {
            ...(renderer ? { renderer } : {}),
            radius: 6,
            color: '#0b0e17',
            weight: 1.5,
            fillColor: color,
            fillOpacity: 1,
          });
    named(marker, label(d)).addTo(g);
  }
  return g;
}

/** Open SOS and stray / border / ban alerts: a pulsing ring where it happened, named by what and whose. */
export function alertsLayer(incidents: Incident[], label: (i: Incident) => string): L.FeatureGroup {
  const g = L.featureGroup();
  for (const i of incidents) {
    if (!i.pos) continue;
    named(
      L.marker([i.pos.lat, i.pos.lon], {
        icon: L.divIcon({
          className: `alert-ring ring-${i.severity}${i.source === 'sos' ? ' alert-sos' : ''}`,
          html: '<i></i>',
          iconSize: [34, 34],
        }),
        zIndexOffset: i.source === 'sos' ? 3000 : 1000, // an SOS above every other mark
        keyboard: false, // the board lists the same alerts; a map stop per marker would trap keyboard users
      }),
      label(i),
      { permanent: true, direction: 'right', className: 'alert-tip' },
    ).addTo(g);
  }
  return g;
}

/** Each track up to time `t`, with a head marker at its position then. */
export function tracksLayer(
  tracks: { deviceId: string; points: Point[] }[],
  t: number,
  label: (deviceId: string) => string = (id) => id,
): L.FeatureGroup {
  const g = L.featureGroup();
  for (const tr of tracks) {
    const upTo = tr.points.filter((p) => p.t <= t);
    if (upTo.length === 0) continue;
    L.polyline(
      tr.points.map((p) => [p.lat, p.lon] as [number, number]),
      { color: KIND_COLORS.tracker, weight: 2, opacity: 0.25 },
    ).addTo(g);
    L.polyline(
      upTo.map((p) => [p.lat, p.lon] as [number, number]),
      { color: KIND_COLORS.tracker, weight: 3.5, opacity: 0.95 },
    ).addTo(g);
    const head = upTo.at(-1)!;
    named(
      L.circleMarker([head.lat, head.lon], {
        radius: 6,
        color: '#fff',
        weight: 2,
        fillColor: KIND_COLORS.tracker,
        fillOpacity: 1,
      }),
      label(tr.deviceId),
    ).addTo(g);
  }
  return g;
}
