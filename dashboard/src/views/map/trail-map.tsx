import L from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import { loadMapConfig } from '../../api/geo.ts';
import { createMap, fitTo, removeMap } from './leaflet.ts';

export interface TrailMapProps {
  trail: { t: number; lat: number; lon: number }[];
  pos?: { lat: number; lon: number } | undefined;
  home?: { lat: number; lon: number } | undefined;
}

/** The incident's position trail, last position and the household's home, on a small map. */
export function TrailMap({ trail, pos, home }: TrailMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const group = useRef<L.FeatureGroup | null>(null);

  useEffect(() => {
    let alive = true;
    loadMapConfig().then((config) => {
      if (!alive || !el.current) return;
      map.current = createMap(el.current, config);
      group.current = L.featureGroup().addTo(map.current);
      draw();
    });
    return () => {
      alive = false;
      if (map.current) removeMap(map.current);
      map.current = null;
    };
  }, []);

  const draw = () => {
    const g = group.current;
    if (!g || !map.current) return;
    g.clearLayers();
    if (home)
      L.circleMarker([home.lat, home.lon], { radius: 7, color: '#4ea8ff', fillOpacity: 0.4 }).addTo(g);
    if (trail.length > 1)
      L.polyline(
        trail.map((p) => [p.lat, p.lon] as [number, number]),
        { color: '#ff8a3d', weight: 3 },
      ).addTo(g);
    const last = trail.at(-1) ?? pos;
    if (last)
      L.circleMarker([last.lat, last.lon], {
        radius: 8,
        color: '#fff',
        weight: 2,
        fillColor: '#e5484d',
        fillOpacity: 1,
        className: 'pulse',
      }).addTo(g);
    fitTo(map.current, [g], 14);
    if (el.current) el.current.dataset.drawn = g.getLayers().length > 0 ? 'yes' : 'empty';
  };
  useEffect(draw, [trail, pos, home]);

  return <div class="trail-map" ref={el} data-testid="trail-map" data-points={trail.length} />;
}
