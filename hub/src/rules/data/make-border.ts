/**
 * Generates the demo border line `urad-border.geojson`: a plausible, wiggly 369 km LineString
 * for the land border of Urad Rear Banner (乌拉特后旗, west) and Urad Middle Banner (乌拉特中旗,
 * east) with Mongolia. Not the surveyed border: a smooth west→east course through control points
 * between lat 42.2 and 42.8, lon 105.8 and 108.9, plus ridge-like wiggles whose amplitude is
 * calibrated (bisection on turf's geodesic length) until the line measures 369 km.
 *
 * Run once: `node --import tsx hub/src/rules/data/make-border.ts` (deterministic output).
 */
import { writeFileSync } from 'node:fs';
import { lineString } from '@turf/helpers';
import { length } from '@turf/length';

export const BORDER_LENGTH_KM = 369;
/** West to east: where the line bends (lon, lat). */
const CONTROL: [number, number][] = [
  [105.8, 42.47],
  [106.05, 42.62],
  [106.3, 42.56],
  [106.55, 42.72],
  [106.85, 42.66],
  [107.1, 42.77],
  [107.4, 42.61],
  [107.7, 42.53],
  [107.95, 42.39],
  [108.25, 42.45],
  [108.55, 42.3],
  [108.9, 42.22],
];
const STEP_DEG = 0.004; // ≈ 330 m between vertices along the course

/** The course densified west→east, each vertex shifted north/south by ridge-like wiggles of amplitude `amp` (degrees). */
function course(amp: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < CONTROL.length; i++) {
    const [x0, y0] = CONTROL[i]!;
    const [x1, y1] = CONTROL[i + 1]!;
    const n = Math.max(1, Math.round((x1 - x0) / STEP_DEG));
    for (let k = 0; k < n; k++) {
      const x = x0 + ((x1 - x0) * k) / n;
      const y = y0 + ((y1 - y0) * k) / n;
      // Three wavelengths (~2.5, 8 and 25 km), never breaking the west→east order of vertices.
      const w = Math.sin(x * 140) + 0.6 * Math.sin(x * 45 + 1.3) + 0.8 * Math.sin(x * 14 + 0.4);
      out.push([x, y + amp * w * (0.75 + 0.25 * Math.sin(x * 3.1))]);
    }
  }
  out.push(CONTROL[CONTROL.length - 1]!);
  return out.map(([x, y]) => [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5]);
}

export function makeBorderCoordinates(targetKm = BORDER_LENGTH_KM): [number, number][] {
  let lo = 0;
  let hi = 0.05;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (length(lineString(course(mid)), { units: 'kilometers' }) < targetKm) lo = mid;
    else hi = mid;
  }
  return course((lo + hi) / 2);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const coordinates = makeBorderCoordinates();
  const feature = {
    type: 'Feature',
    properties: {
      id: 'urad-border',
      kind: 'border',
      unitId: '150800',
      name: {
        zh: '乌拉特中旗、乌拉特后旗中蒙边境线',
        mn: 'ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠶᠢᠲᠤ ᠬᠣᠰᠢᠭᠤ ᠶᠢᠨ ᠬᠢᠯ',
        en: 'China–Mongolia border, Urad Rear and Middle banners',
      },
      farSide: 'north',
      // West of km 190 Urad Rear Banner (乌拉特后旗), east of it Urad Middle Banner (乌拉特中旗); the
      // demo registry has one border township per banner.
      sections: [
        { unitId: '150825-201', fromKm: 0, toKm: 190 },
        { unitId: '150824-104', fromKm: 190, toKm: BORDER_LENGTH_KM },
      ],
      note: 'Demo geometry, not the surveyed border.',
    },
    geometry: { type: 'LineString', coordinates },
  };
  const km = length(lineString(coordinates), { units: 'kilometers' });
  writeFileSync(new URL('./urad-border.geojson', import.meta.url), `${JSON.stringify(feature)}\n`);
  console.log(`urad-border.geojson: ${coordinates.length} vertices, ${km.toFixed(2)} km`);
}
