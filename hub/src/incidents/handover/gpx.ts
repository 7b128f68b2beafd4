import type { Handover } from './build.ts';

/**
 * The handover as GPX 1.1 (https://www.topografix.com/GPX/1/1/): waypoints for the position to
 * go to, the household's home and the nearest water point and road, and the device's recent
 * track. Element order follows the schema (metadata, wpt*, trk*; in a point: ele, time, name,
 * desc, sym, type, hdop), which strict readers (aircraft navigators, Garmin) insist on.
 */
const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
const iso = (ms: number) => new Date(ms).toISOString();
const coord = (n: number) => n.toFixed(7).replace(/\.?0+$/, '');

function wpt(o: {
  lat: number;
  lon: number;
  time?: number | null;
  name: string;
  desc?: string;
  sym: string;
  type: string;
}): string {
  return [
    `  <wpt lat="${coord(o.lat)}" lon="${coord(o.lon)}">`,
    ...(o.time != null ? [`    <time>${iso(o.time)}</time>`] : []),
    `    <name>${xml(o.name)}</name>`,
    ...(o.desc ? [`    <desc>${xml(o.desc)}</desc>`] : []),
    `    <sym>${xml(o.sym)}</sym>`,
    `    <type>${xml(o.type)}</type>`,
    '  </wpt>',
  ].join('\n');
}

export function handoverGpx(h: Handover): string {
  const inc = h.incident;
  const title = `${inc.drill ? 'DRILL ' : ''}SOS ${inc.id}: ${inc.categoryName.en}`;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="SteppeLink hub" xmlns="http://www.topografix.com/GPX/1/1" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">',
    '  <metadata>',
    `    <name>${xml(title)}</name>`,
    `    <desc>${xml(`${inc.summary.zh} / ${inc.summary.en}`)}</desc>`,
    `    <time>${iso(h.madeAt)}</time>`,
    '  </metadata>',
  ];
  const p = h.position;
  if (p) {
    const acc = p.accuracyM !== null ? ` ±${Math.round(p.accuracyM)} m` : '';
    out.push(
      wpt({
        lat: p.lat,
        lon: p.lon,
        time: p.at,
        name: 'SOS',
        desc: `${p.formats.dm} (${p.source}${acc})`,
        sym: 'Danger Area',
        type: 'sos',
      }),
    );
  }
  if (h.household && p?.source !== 'home') {
    out.push(
      wpt({
        lat: h.household.home.lat,
        lon: h.household.home.lon,
        name: `${h.household.name} (home)`,
        sym: 'Residence',
        type: 'home',
      }),
    );
  }
  for (const n of [h.nearest.water, h.nearest.road]) {
    if (!n) continue;
    out.push(
      wpt({
        lat: n.lat,
        lon: n.lon,
        name: n.name.en ?? n.name.zh,
        desc: `${n.name.zh}: ${n.distanceM} m at ${n.bearingDeg}°`,
        sym: n.kind === 'water' ? 'Drinking Water' : 'Car',
        type: n.kind,
      }),
    );
  }
  const pts = h.track.points;
  if (pts.length > 0) {
    out.push('  <trk>', `    <name>${xml(h.track.deviceId ?? inc.id)}</name>`, '    <trkseg>');
    for (const t of pts) {
      out.push(
        `      <trkpt lat="${coord(t.lat)}" lon="${coord(t.lon)}">` +
          (t.alt !== undefined ? `<ele>${t.alt}</ele>` : '') +
          `<time>${iso(t.t)}</time>` +
          (t.hdop !== undefined ? `<hdop>${t.hdop}</hdop>` : '') +
          '</trkpt>',
      );
    }
    out.push('    </trkseg>', '  </trk>');
  }
  out.push('</gpx>', '');
  return out.join('\n');
}
