import L from 'leaflet';
import type { CoverageSegment, FeatureCollection } from '../../api/geo.ts';
import type { Incident } from '../../api/incidents.ts';
import type { DeviceRow, HouseholdRow, Point } from '../../api/registry.ts';
import type { DevicePlace } from './places.ts';
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

export function unitsLayer(
  units: {
    id: string;
    name: string;
    center?: { lat: number; lon: number };
    boundary?: { coordinates: [number, number][][] };
  }[],
): L.FeatureGroup {
  const g = L.featureGroup();
  for (const u of units) {
    if (u.boundary) {
      L.polygon(
        u.boundary.coordinates.map((ring) => ring.map(([lon, lat]) => [lat, lon] as [number, number])),
        { color: '#9aa4c7', weight: 1, fill: false },
      ).addTo(g);
    }
    if (u.center) {
      L.marker([u.center.lat, u.center.lon], {
        icon: L.divIcon({
          className: 'unit-label',
          html: `<span>${esc(u.name)}</span>`,
          iconSize: undefined,
        }),
        interactive: false,
      }).addTo(g);
    }
  }
  return g;
}

export function householdsLayer(households: HouseholdRow[]): L.FeatureGroup {
  const g = L.featureGroup();
  for (const h of households) {
    named(
      L.circleMarker([h.location.lat, h.location.lon], {
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

export function pasturesLayer(pastures: { id: string; coordinates: [number, number][][] }[]): L.FeatureGroup {
  const g = L.featureGroup();
  for (const p of pastures) {
    L.polygon(
      p.coordinates.map((ring) => ring.map(([lon, lat]) => [lat, lon] as [number, number])),
      { color: '#7bc96f', weight: 1, fillOpacity: 0.12 },
    ).addTo(g);
  }
  return g;
}

/**
 * Up to this many device markers are drawn as SVG, each an element with its name (screen readers,
 * tests); more go on the map's one canvas, which draws thousands faster but names none.
 */
export const NAMED_MARKERS_MAX = 400;

/** Devices where they are: colour by kind, grey when offline; trackers drawn as squares. */
export function devicesLayer(places: DevicePlace[], label: (d: DeviceRow) => string): L.FeatureGroup {
  const g = L.featureGroup();
  const renderer = places.length <= NAMED_MARKERS_MAX ? L.svg() : undefined;
  for (const { device: d, lat, lon } of places) {
    const color = d.online ? (KIND_COLORS[d.kind] ?? '#fff') : OFFLINE_COLOR;
    const marker =
      d.kind === 'tracker'
        ? L.marker([lat, lon], {
            icon: L.divIcon({
              className: `dev-square ${d.online ? 'on' : 'off'}`,
              html: `<i style="background:${color}"></i>`,
              iconSize: [12, 12],
            }),
          })
        : L.circleMarker([lat, lon], {
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
