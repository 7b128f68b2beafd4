import { distance } from '@turf/distance';
import { point } from '@turf/helpers';
import type { SimLeague } from './league.ts';

type Ring = [number, number][];
const square = (lon: number, lat: number, halfKm: number): Ring => {
  const dLat = halfKm / 111.2;
  const dLon = halfKm / (111.2 * Math.cos((lat * Math.PI) / 180));
  return [
    [lon - dLon, lat - dLat],
    [lon + dLon, lat - dLat],
    [lon + dLon, lat + dLat],
    [lon - dLon, lat + dLat],
    [lon - dLon, lat - dLat],
  ].map(([x, y]) => [+x!.toFixed(5), +y!.toFixed(5)]) as Ring;
};

/**
 * Zones for a simulated league: the demo border line with each stretch assigned to the border
 * sumu whose slice it runs along (its police-civilian station gets those alerts and patrols it),
 * a spring rest-grazing area and a grazing-ban area over some pastures, and each patrol team's base.
 */
export function simZones(league: SimLeague, border: { geometry: { coordinates: [number, number][] } }) {
  const coords = border.geometry.coordinates;
  const km: number[] = [0];
  for (let i = 1; i < coords.length; i++) {
    km.push(km[i - 1]! + distance(point(coords[i - 1]!), point(coords[i]!), { units: 'kilometers' }));
  }
  const total = km.at(-1)!;
  // Each vertex goes to the sumu whose slice is nearest in longitude; consecutive runs become sections.
  const owner = coords.map(([lon]) => {
    let best = league.sumus[0]!;
    for (const s of league.sumus) {
      const d = lon < s.minLon ? s.minLon - lon : lon > s.maxLon ? lon - s.maxLon : 0;
      const b = lon < best.minLon ? best.minLon - lon : lon > best.maxLon ? lon - best.maxLon : 0;
      if (d < b) best = s;
    }
    return best.id;
  });
  const sections: { unitId: string; fromKm: number; toKm: number }[] = [];
  owner.forEach((unitId, i) => {
    const last = sections.at(-1);
    if (last && last.unitId === unitId) return;
    if (last) last.toKm = +km[i]!.toFixed(3);
    sections.push({ unitId, fromKm: +km[i]!.toFixed(3), toKm: +total.toFixed(3) });
  });

  const middle = league.sumus.find((s) => s.banner === '150824');
  const rear = league.sumus.find((s) => s.banner === '150825');
  const features: unknown[] = [
    {
      type: 'Feature',
      properties: {
        id: 'urad-border',
        kind: 'border',
        unitId: '150800',
        farSide: 'north',
        name: {
          zh: '乌拉特中旗、乌拉特后旗中蒙边境线',
          en: 'China–Mongolia border, Urad Rear and Middle banners',
        },
        sections,
        note: 'Demo geometry, not the surveyed border.',
      },
      geometry: { type: 'LineString', coordinates: coords },
    },
  ];
  if (middle) {
    features.push({
      type: 'Feature',
      properties: {
        id: `rest-${middle.id}`,
        kind: 'ban',
        ban: 'rest',
        unitId: middle.id,
        name: { zh: '春季休牧区', en: 'Spring rest-grazing area' },
        periods: [{ type: 'yearly', from: '04-01', to: '05-31' }],
      },
      geometry: { type: 'Polygon', coordinates: [square(middle.center.lon, middle.center.lat, 6)] },
    });
  }
  if (rear) {
    features.push({
      type: 'Feature',
      properties: {
        id: `ban-${rear.id}`,
        kind: 'ban',
        ban: 'ban',
        unitId: rear.id,
        name: { zh: '退化沙化草场禁牧区', en: 'Grazing ban on degraded sandy grassland' },
        periods: [{ type: 'dates', from: '2024-01-01', to: '2028-12-31' }],
      },
      geometry: { type: 'Polygon', coordinates: [square(rear.center.lon, rear.center.lat, 4)] },
    });
  }
  for (const team of league.doc.teams) {
    const tracker = league.devices.find((d) => d.team === team.id);
    if (!tracker) continue;
    features.push({
      type: 'Feature',
      properties: {
        id: `base-${team.id}`.slice(0, 64),
        kind: 'base',
        teamId: team.id,
        unitId: team.unit,
        name: { zh: `${team.name}驻地` },
      },
      geometry: { type: 'Polygon', coordinates: [square(tracker.home.lon, tracker.home.lat, 0.5)] },
    });
  }
  features.push(...waterAndRoads(league));
  return { type: 'FeatureCollection' as const, features };
}

/**
 * What a rescue handover names as the nearest water and road (demo geometry): a well by each
 * gacha's centre (where its households water their herds) and, per banner, a gravel road that
 * links its border sumus' centres from west to east.
 */
function waterAndRoads(league: SimLeague): unknown[] {
  const out: unknown[] = [];
  for (const u of league.doc.units) {
    if (u.level !== 'gacha' || !u.center) continue;
    const lat = +(u.center.lat + 0.012).toFixed(5); // a little over a kilometre north of the centre
    out.push({
      type: 'Feature',
      properties: {
        id: `well-${u.id}`,
        kind: 'water',
        unitId: u.id,
        name: { zh: `${u.name.zh}机井`, mn: `${u.name.mn} ᠤᠨ ᠬᠤᠳᠳᠤᠭ`, en: `${u.name.en} well` },
        note: 'Demo well, not a surveyed one.',
      },
      geometry: { type: 'Point', coordinates: [u.center.lon, lat] },
    });
  }
  const banners = new Map<string, SimLeague['sumus']>();
  for (const s of league.sumus) banners.set(s.banner, [...(banners.get(s.banner) ?? []), s]);
  for (const [banner, sumus] of banners) {
    if (sumus.length < 2) continue;
    const line = [...sumus]
      .sort((a, b) => a.center.lon - b.center.lon)
      .map((s) => [s.center.lon, s.center.lat]);
    out.push({
      type: 'Feature',
      properties: {
        id: `road-${banner}`,
        kind: 'road',
        unitId: banner,
        surface: 'gravel',
        name: { zh: '边境苏木砂石路', mn: 'ᠬᠢᠯᠢ ᠶᠢᠨ ᠰᠤᠮᠤ ᠶᠢᠨ ᠵᠠᠮ', en: 'Border sumus gravel road' },
        note: 'Demo road through the sumu centres, not a surveyed one.',
      },
      geometry: { type: 'LineString', coordinates: line },
    });
  }
  // and a gravel road from each sumu's centre south through its pastures (its households' way out)
  const names = new Map(league.doc.units.map((u) => [u.id, u.name]));
  for (const s of league.sumus) {
    const lats = league.doc.households
      .filter((h) => h.grid.startsWith(`${s.id}-`))
      .map((h) => h.location.lat);
    if (lats.length === 0) continue;
    const south = +(Math.min(...lats) - 0.05).toFixed(5);
    if (south >= s.center.lat) continue;
    const n = names.get(s.id);
    out.push({
      type: 'Feature',
      properties: {
        id: `road-${s.id}`,
        kind: 'road',
        unitId: s.id,
        surface: 'gravel',
        name: {
          zh: `${n?.zh ?? s.id}南北砂石路`,
          mn: `${n?.mn ?? s.id} ᠶᠢᠨ ᠵᠠᠮ`,
          en: `${n?.en ?? s.id} north–south gravel road`,
        },
        note: 'Demo road, not a surveyed one.',
      },
      geometry: {
        type: 'LineString',
        coordinates: [
          [s.center.lon, s.center.lat],
          [s.center.lon, south],
        ],
      },
    });
  }
  return out;
}
