import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { MapConfig } from '../../api/geo.ts';

/**
 * A Leaflet map with no remote resources: the deployer's local tiles (a folder or a PMTiles
 * archive the hub serves) when configured, over the Natural Earth basemap drawn by basemap.ts. Markers are drawn as vectors (no marker images).
 */
export function createMap(el: HTMLElement, config: MapConfig): L.Map {
  const map = L.map(el, {
    preferCanvas: true, // thousands of households and devices draw faster on one canvas
    zoomSnap: 0.25,
    attributionControl: Boolean(config.tiles?.attribution),
  });
  if (config.tiles) {
    L.tileLayer(config.tiles.url, {
      maxNativeZoom: config.tiles.maxZoom ?? 14, // closer in, the deepest tiles are enlarged
      maxZoom: 19,
      attribution: config.tiles.attribution ?? '',
    }).addTo(map);
  } else {
    el.classList.add('plain-map');
  }
  // distances matter out here (how far to the household, to the border): a metric scale bar
  L.control.scale({ imperial: false, position: 'bottomleft', maxWidth: 160 }).addTo(map);
  const c = config.center ?? { lat: 42.0, lon: 107.6, zoom: 7 }; // the Urad border banners
  map.setView([c.lat, c.lon], c.zoom ?? 7);
  return map;
}

/** Fits the map to the layers' bounds, if any have content. */
export function fitTo(map: L.Map, layers: L.Layer[], maxZoom = 13, panelPx = 0): void {
  const bounds = L.latLngBounds([]);
  for (const layer of layers) {
    if ('getBounds' in layer && typeof (layer as L.FeatureGroup).getBounds === 'function') {
      const b = (layer as L.FeatureGroup).getBounds();
      if (b.isValid()) bounds.extend(b);
    } else if ('getLatLng' in layer) {
      bounds.extend((layer as L.CircleMarker).getLatLng());
    }
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.1), { maxZoom, paddingBottomRight: [panelPx, 0] });
}

/**
 * Leaflet 1.9's canvas renderer deletes its drawing context when it is taken down, but a redraw
 * already asked for on the next animation frame can still run and throw (clearRect of undefined)
 * after the officer left the map. A renderer without a context has nothing to draw: skip it.
 */
const canvasProto = L.Canvas.prototype as unknown as { _redraw(this: { _ctx?: unknown }): void };
const redraw = canvasProto._redraw;
canvasProto._redraw = function (this: { _ctx?: unknown }) {
  if (this._ctx) redraw.call(this);
};

/**
 * Takes a map down even mid-animation. Leaflet 1.9 ends a zoom animation from a 250 ms timer
 * (and a transitionend), and that handler throws on a removed map (`_leaflet_pos` of undefined,
 * Leaflet issue #6232): an officer who zooms and switches page at once would get a script error.
 * So a running pan is stopped and a running zoom finished at once, while the map still exists.
 */
export function removeMap(map: L.Map): void {
  const m = map as L.Map & { _animatingZoom?: boolean; _onZoomTransitionEnd?: () => void };
  map.stop();
  if (m._animatingZoom) m._onZoomTransitionEnd?.();
  // Layers first, while their canvas renderers exist: a path removed after its renderer (a
  // component's own clean-up running after this one) asks that renderer for a redraw, which
  // throws on the next animation frame (clearRect of undefined).
  const layers: L.Layer[] = [];
  map.eachLayer((l) => {
    layers.push(l);
  });
  for (const l of layers) if (!(l instanceof L.Renderer)) l.remove(); // paths first, then their renderers
  for (const l of layers) if (l instanceof L.Renderer) l.remove();
  map.remove();
}
