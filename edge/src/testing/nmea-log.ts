import type { Fix } from '@steppelink/protocols';
import { nmeaChecksum } from '../inputs/nmea.ts';

export interface PatrolLogOptions {
  /** Time of the first fix (epoch ms, whole seconds). */
  startMs: number;
  fixes: number;
  from: { lat: number; lon: number };
  to: { lat: number; lon: number };
  /** Seconds between fixes. */
  intervalS?: number;
  altM?: number;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function dm(v: number, degDigits: number): { text: string; value: number } {
  const a = Math.abs(v);
  const deg = Math.floor(a);
  const min = Math.round((a - deg) * 60 * 10_000) / 10_000;
  return { text: `${pad(deg, degDigits)}${min.toFixed(4).padStart(7, '0')}`, value: deg + min / 60 };
}

const sentence = (body: string) => `$${body}*${nmeaChecksum(body)}\r\n`;

/**
 * Generates an NMEA 0183 log (GGA + RMC per fix) of a border patrol driving a straight line,
 * e.g. along lat 42.4 from lon 106.8 to 107.2 in Urad Rear Banner, and the fixes as a receiver
 * would report them (positions rounded to the log's 1/10000 minute).
 */
export function patrolNmeaLog(o: PatrolLogOptions): { text: string; fixes: Fix[] } {
  const interval = o.intervalS ?? 1;
  const alt = o.altM ?? 1321.5;
  let text = '';
  const fixes: Fix[] = [];
  const n = Math.max(1, o.fixes);
  const stepLat = (o.to.lat - o.from.lat) / Math.max(1, n - 1);
  const stepLon = (o.to.lon - o.from.lon) / Math.max(1, n - 1);
  const dist = Math.hypot(stepLat * 111_000, stepLon * 111_000 * Math.cos((o.from.lat * Math.PI) / 180));
  const speedKn = dist / interval / 0.514444;
  const course =
    ((Math.atan2(stepLon * Math.cos((o.from.lat * Math.PI) / 180), stepLat) * 180) / Math.PI + 360) % 360;
  for (let i = 0; i < n; i++) {
    const t = o.startMs + i * interval * 1000;
    const d = new Date(t);
    const hhmmss = `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}.00`;
    const ddmmyy = `${pad(d.getUTCDate(), 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCFullYear() % 100, 2)}`;
    const lat = dm(o.from.lat + stepLat * i, 2);
    const lon = dm(o.from.lon + stepLon * i, 3);
    text += sentence(`GPGGA,${hhmmss},${lat.text},N,${lon.text},E,1,09,0.9,${alt.toFixed(1)},M,-20.0,M,,`);
    text += sentence(
      `GPRMC,${hhmmss},A,${lat.text},N,${lon.text},E,${speedKn.toFixed(1)},${course.toFixed(1)},${ddmmyy},,,A`,
    );
    fixes.push({ t, lat: lat.value, lon: lon.value, alt, hdop: 0.9 });
  }
  return { text, fixes };
}
