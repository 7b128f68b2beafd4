import type L from 'leaflet';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { loadMapConfig } from '../../api/geo.ts';
import type { Me } from '../../api/session.ts';
import { pick, useT } from '../../i18n/index.ts';
import { incidentsStore } from '../../live/incidents.ts';
import { isClosed } from '../../live/order.ts';
import { useStore } from '../../store.ts';
import { whatOf } from '../board/labels.tsx';
import { type CoverageBand, coverageBand } from './colors.ts';
import { loadMapData, loadPastures, loadTracks, type MapData } from './data.ts';
import * as layers from './layers.ts';
import { createMap, fitTo, removeMap } from './leaflet.ts';
import { COVERAGE_BANDS, type LayerKey, LAYER_KEYS, LayerToggles, Legend, Replay } from './map-panel.tsx';
import { deviceName, devicePlaces } from './places.ts';
import { mapAlerts } from './alerts.ts';
import { basemapLayer } from './basemap.ts';

const TRACK_WINDOW_MS = 24 * 3_600_000;
/** Phone-sized screens (the stylesheet's breakpoint). */
const NARROW = globalThis.matchMedia?.('(max-width: 760px)') ?? { matches: false };

/** The map: units, border and its patrol coverage, pastures, households, devices, tracks with replay, alerts. */
export function MapPage(_: { me: Me }) {
  const t = useT();
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const drawn = useRef(new Map<LayerKey, L.Layer>());
  const [data, setData] = useState<MapData | null>(null);
  const [pastures, setPastures] = useState<{ id: string; coordinates: [number, number][][] }[]>([]);
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
  const incidents = mapAlerts(useStore(incidentsStore).values(), isClosed);

  useEffect(() => {
    let alive = true;
    Promise.all([loadMapConfig(), loadMapData()]).then(
      async ([config, d]) => {
        if (!alive || !el.current) return;
        map.current = createMap(el.current, config);
        // without the deployer's tiles, Natural Earth's land and borders lie under everything
        if (!config.tiles) {
          const m = map.current;
          basemapLayer(m, () => alive && map.current === m).then(
            (b) => b && setBasemap(b.countries),
            () => alive && setBasemap(0),
          );
        }
        setData(d);
        loadPastures(d.households).then((p) => alive && setPastures(p));
        const trackers = d.devices.filter((x) => x.kind === 'tracker');
        loadTracks(trackers, range.from, range.to).then((tr) => alive && setTracks(tr));
      },
      (e: Error) => alive && setError(e.message),
    );
    return () => {
      alive = false;
      if (map.current) removeMap(map.current);
      map.current = null;
    };
  }, []);

  const places = useMemo(
    () => (data ? devicePlaces(data.devices, data.positions, data.households) : []),
    [data],
  );
  const nameOf = useMemo(() => {
    const households = new Map((data?.households ?? []).map((h) => [h.id, h.name]));
    const devices = new Map((data?.devices ?? []).map((d) => [d.id, d]));
    const kind = (k: string) => t.dyn(`kind.${k}`, k);
    return (id: string) => {
      const d = devices.get(id);
      return d ? deviceName(d, households, kind) : id;
    };
  }, [data, t.lang]);
  const coverageCounts = Object.fromEntries(COVERAGE_BANDS.map((b) => [b, 0])) as Record<
    CoverageBand,
    number
  >;
  for (const s of data?.coverage ?? []) coverageCounts[coverageBand(s.lastPatrolledAt, Date.now())]++;

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
  useEffect(() => {
    if (!data || !map.current) return;
    const now = Date.now();
    put('units', layers.unitsLayer(data.units.map((u) => ({ ...u, name: pick(u.name, t.lang) }))));
    put('border', layers.borderLayer(data.zones));
    put('coverage', layers.coverageLayer(data.coverage, now));
    put('households', layers.householdsLayer(data.households));
    put(
      'devices',
      layers.devicesLayer(places, (d) => nameOf(d.id)),
    );
    const extent = [
      drawn.current.get('border'),
      drawn.current.get('households'),
      drawn.current.get('devices'),
    ].filter(Boolean) as L.Layer[];
    fitTo(map.current, extent, 11, NARROW.matches ? 0 : 280); // keep clear of the layer panel (folded on a phone)
  }, [data, t.lang]);
  useEffect(() => put('pastures', layers.pasturesLayer(pastures)), [pastures, data]);
  useEffect(() => put('tracks', layers.tracksLayer(tracks, cursor, nameOf)), [tracks, cursor, data, nameOf]);
  useEffect(
    () =>
      put(
        'alerts',
        layers.alertsLayer(incidents, (i) =>
          i.householdName ? `${whatOf(i, t)} · ${i.householdName}` : whatOf(i, t),
        ),
      ),
    [incidents.map((i) => i.id + i.state).join(), data, t.lang],
  );
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    for (const [k, layer] of drawn.current) {
      if (on[k] && !m.hasLayer(layer)) layer.addTo(m);
      if (!on[k] && m.hasLayer(layer)) layer.remove();
    }
  }, [on]);

  return (
    <div class="map-page">
      <h1 class="sr">{t('nav.map')}</h1>
      <div
        class="map"
        ref={el}
        data-testid="map"
        data-loaded={data ? 'yes' : 'no'}
        data-basemap={basemap ?? 'none'}
        data-devices={places.length}
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
