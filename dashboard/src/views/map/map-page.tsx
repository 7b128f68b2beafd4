import L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type CoverageSegment,
  type FeatureCollection,
  loadCoverage,
  loadMapConfig,
  loadZones,
} from '../../api/geo.ts';
import { type BBox, loadView, type MapView, mapExtent } from '../../api/map.ts';
import { type DeviceRow, listDevices } from '../../api/registry.ts';
import type { Me } from '../../api/session.ts';
import { pick, useT } from '../../i18n/index.ts';
import { incidentsStore } from '../../live/incidents.ts';
import { isClosed } from '../../live/order.ts';
import { useRoute } from '../../router.ts';
import { useStore } from '../../store.ts';
import { whatOf } from '../board/labels.tsx';
import { mapAlerts } from './alerts.ts';
import { basemapLayer } from './basemap.ts';
import { type CoverageBand, coverageBand } from './colors.ts';
import { loadTracks } from './data.ts';
import * as layers from './layers.ts';
import { createMap, fitTo, removeMap } from './leaflet.ts';
import { COVERAGE_BANDS, type LayerKey, LAYER_KEYS, LayerToggles, Legend, Replay } from './map-panel.tsx';
import { deviceName } from './places.ts';

const TRACK_WINDOW_MS = 24 * 3_600_000;
/** Phone-sized screens (the stylesheet's breakpoint). */
const NARROW = globalThis.matchMedia?.('(max-width: 760px)') ?? { matches: false };
/** The view is fetched this much wider than the screen, so a small pan needs no new request. */
const VIEW_PAD = 0.25;
/** Pans and zooms within this long of each other are one request. */
const VIEW_DEBOUNCE_MS = 150;

/** `#/map/42.1213,108.4382,14`: where to open the map (a link from an incident, a shared view). */
function parseAt(id: string | undefined): { lat: number; lon: number; zoom: number } | null {
  const [lat, lon, zoom] = (id ?? '').split(',').map(Number);
  return Number.isFinite(lat) && Number.isFinite(lon)
    ? { lat: lat!, lon: lon!, zoom: Number.isFinite(zoom) ? zoom! : 13 }
    : null;
}

/**
 * The map: units, border and its patrol coverage, pastures, households, devices, tracks with
 * replay, alerts. What lies in the view is asked of the hub as the officer pans and zooms
 * (clustered where it crowds); the border, coverage, tracks and alerts are few and come whole.
 */
export function MapPage(_: { me: Me }) {
  const t = useT();
  const route = useRoute();
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const drawn = useRef(new Map<LayerKey, L.Layer>());
  const [ready, setReady] = useState(false);
  const [base, setBase] = useState<{ zones: FeatureCollection; coverage: CoverageSegment[] } | null>(null);
  const [view, setView] = useState<MapView | null>(null);
  const [labels, setLabels] = useState(0);
  const [trackers, setTrackers] = useState<DeviceRow[]>([]);
  const [tracks, setTracks] = useState<
    { deviceId: string; points: { t: number; lat: number; lon: number; deviceId: string }[] }[]
  >([]);
  const [range] = useState(() => ({ from: Date.now() - TRACK_WINDOW_MS, to: Date.now() }));
  const [cursor, setCursor] = useState(range.to);
  const [on, setOn] = useState<Record<LayerKey, boolean>>(
    Object.fromEntries(LAYER_KEYS.map((k) => [k, true])) as Record<LayerKey, boolean>,
  );
  const [error, setError] = useState<string | null>(null);
  /** Countries the offline basemap drew (null: not drawn, e.g. the deployer's tiles are used). */
  const [basemap, setBasemap] = useState<number | null>(null);
  /** The deployer's tile URL template, when tiles are configured. */
  const [tilesUrl, setTilesUrl] = useState<string | null>(null);
  const incidents = mapAlerts(useStore(incidentsStore).values(), isClosed);

  useEffect(() => {
    let alive = true;
    let pending: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchView = () => {
      const m = map.current;
      if (!m) return;
      pending?.abort();
      const ctrl = new AbortController();
      pending = ctrl;
      const b = m.getBounds().pad(VIEW_PAD);
      const bbox: BBox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      loadView(bbox, m.getZoom(), { signal: ctrl.signal }).then(
        (v) => alive && pending === ctrl && setView(v),
        (e: Error) => alive && e.name !== 'AbortError' && setError(e.message),
      );
    };
    const onMove = () => {
      clearTimeout(timer);
      timer = setTimeout(fetchView, VIEW_DEBOUNCE_MS);
    };
    Promise.all([loadMapConfig(), mapExtent(), loadZones(), loadCoverage()]).then(
      ([config, extent, zones, coverage]) => {
        if (!alive || !el.current) return;
        const m = createMap(el.current, config);
        map.current = m;
        setTilesUrl(config.tiles?.url ?? null);
        // Natural Earth's land and borders lie under everything, the deployer's tiles (if any) over
        // them: an archive cut to the banners leaves the rest of the world drawn
        basemapLayer(m, () => alive && map.current === m).then(
          (b) => b && setBasemap(b.countries),
          () => alive && setBasemap(0),
        );
        setBase({ zones, coverage });
        const border = layers.borderLayer(zones);
        const at = parseAt(route?.id);
        if (at) m.setView([at.lat, at.lon], at.zoom);
        else {
          const fit: L.Layer[] = [border];
          if (extent.bbox) {
            const [w, s, e, n] = extent.bbox;
            fit.push(
              L.rectangle([
                [s, w],
                [n, e],
              ]),
            );
          }
          fitTo(m, fit, 11, NARROW.matches ? 0 : 280); // keep clear of the layer panel (folded on a phone)
        }
        m.on('moveend', onMove);
        m.on('zoomend', () => setLabels(layers.declutterLabels(m.getContainer())));
        setReady(true);
        fetchView();
        listDevices({ kind: 'tracker' }).then((tr) => {
          if (!alive) return;
          setTrackers(tr);
          loadTracks(tr, range.from, range.to).then((x) => alive && setTracks(x));
        });
      },
      (e: Error) => alive && setError(e.message),
    );
    return () => {
      alive = false;
      clearTimeout(timer);
      pending?.abort();
      if (map.current) removeMap(map.current);
      map.current = null;
    };
  }, []);

  // a map link followed while the map is open (another incident's place, a shared view) moves
  // the open map: the router keeps this page mounted, so the first drawing's reading is not enough
  useEffect(() => {
    const at = parseAt(route?.id);
    if (at && map.current) map.current.setView([at.lat, at.lon], at.zoom);
  }, [route?.id]);

  const trackerName = useMemo(() => {
    const byId = new Map(trackers.map((d) => [d.id, d]));
    const kind = (k: string) => t.dyn(`kind.${k}`, k);
    return (id: string) => {
      const d = byId.get(id);
      return deviceName({ id, kind: d?.kind ?? 'tracker', owner: d?.label ?? null }, kind);
    };
  }, [trackers, t.lang]);
  const coverageCounts = Object.fromEntries(COVERAGE_BANDS.map((b) => [b, 0])) as Record<
    CoverageBand,
    number
  >;
  for (const s of base?.coverage ?? []) coverageCounts[coverageBand(s.lastPatrolledAt, Date.now())]++;

  // (re)draw a layer when its data changes
  const put = (key: LayerKey, layer: L.Layer | null) => {
    const m = map.current;
    if (!m) return;
    drawn.current.get(key)?.remove();
    if (layer) {
      drawn.current.set(key, layer);
      if (on[key]) layer.addTo(m);
    } else drawn.current.delete(key);
  };
  const zoomTo = (lat: number, lon: number, zoom: number) => map.current?.setView([lat, lon], zoom);
  useEffect(() => {
    if (!base || !ready) return;
    put('border', layers.borderLayer(base.zones));
    put('coverage', layers.coverageLayer(base.coverage, Date.now()));
  }, [base, ready]);
  useEffect(() => {
    if (!view || !map.current) return;
    const kind = (k: string) => t.dyn(`kind.${k}`, k);
    put(
      'units',
      layers.unitsLayer(view.areas.units, (u) => pick(u.name, t.lang)),
    );
    put('pastures', layers.pasturesLayer(view.areas.pastures));
    put(
      'households',
      layers.householdsLayer(view.households.items, (n) => t('map.cluster.households', { n }), zoomTo),
    );
    put(
      'devices',
      layers.devicesLayer(
        view.devices.items,
        (d) => deviceName(d, kind),
        (n, online) => t('map.cluster.devices', { n, online }),
        zoomTo,
      ),
    );
    setLabels(layers.declutterLabels(map.current.getContainer()));
  }, [view, t.lang]);
  useEffect(
    () => put('tracks', layers.tracksLayer(tracks, cursor, trackerName)),
    [tracks, cursor, ready, trackerName],
  );
  useEffect(() => {
    put(
      'alerts',
      layers.alertsLayer(incidents, (i) =>
        i.householdName ? `${whatOf(i, t)} · ${i.householdName}` : whatOf(i, t),
      ),
    );
    if (map.current) setLabels(layers.declutterLabels(map.current.getContainer()));
  }, [incidents.map((i) => i.id + i.state).join(), ready, t.lang]);
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    for (const [k, layer] of drawn.current) {
      if (on[k] && !m.hasLayer(layer)) layer.addTo(m);
      if (!on[k] && m.hasLayer(layer)) layer.remove();
    }
    setLabels(layers.declutterLabels(m.getContainer()));
  }, [on]);

  const count = (items: { type: string; count?: number }[] = []) =>
    items.reduce((n, i) => n + (i.type === 'cluster' ? (i.count ?? 0) : 1), 0);
  return (
    <div class="map-page">
      <h1 class="sr">{t('nav.map')}</h1>
      <div
        class="map"
        ref={el}
        data-testid="map"
        data-loaded={view ? 'yes' : 'no'}
        data-basemap={basemap ?? 'none'}
        data-tiles={tilesUrl ?? 'none'}
        data-zoom={view?.households.zoom ?? ''}
        data-households={count(view?.households.items)}
        data-devices={count(view?.devices.items)}
        data-clusters={
          [...(view?.households.items ?? []), ...(view?.devices.items ?? [])].filter(
            (i) => i.type === 'cluster',
          ).length
        }
        data-pastures={view?.areas.pastures.length ?? 0}
        data-labels={labels}
        data-tracks={tracks.length}
        data-alerts={incidents.filter((i) => i.pos).length}
        data-track-points={tracks.reduce((n, tr) => n + tr.points.filter((p) => p.t <= cursor).length, 0)}
        {...Object.fromEntries(COVERAGE_BANDS.map((b) => [`data-cov-${b}`, coverageCounts[b]]))}
      />
      <aside class="map-panel card" aria-label={t('map.layers')}>
        {error && <p class="error">{t('common.error', { reason: error })}</p>}
        {/* folded on a phone, where it would cover the map; open on a wall screen */}
        <details open={!NARROW.matches} data-testid="map-layers">
          <summary>{t('map.layers')}</summary>
          <LayerToggles on={on} onChange={setOn} />
          <Legend />
          <Replay range={range} cursor={cursor} onCursor={setCursor} hasTracks={tracks.length > 0} />
        </details>
      </aside>
    </div>
  );
}
