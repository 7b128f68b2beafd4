import type { Fix } from '@steppelink/protocols';

export type NmeaResult = { type: 'fix'; fix: Fix } | { type: 'none' } | { type: 'error'; reason: string };

const KNOTS_TO_MPS = 0.514444;

/** XOR of the characters between `$` and `*` [NMEA 0183]. */
export function nmeaChecksum(body: string): string {
  let c = 0;
  for (let i = 0; i < body.length; i++) c ^= body.charCodeAt(i);
  return c.toString(16).toUpperCase().padStart(2, '0');
}

/** `4224.6192`,`N` → 42.41032; `10652.4466`,`E` → 106.87411. */
function coord(value: string | undefined, hemi: string | undefined, degDigits: number): number | undefined {
  if (!value || !hemi || value.length < degDigits + 2) return undefined;
  const deg = Number(value.slice(0, degDigits));
  const min = Number(value.slice(degDigits));
  if (!Number.isFinite(deg) || !Number.isFinite(min) || min >= 60) return undefined;
  const v = deg + min / 60;
  if (hemi === 'S' || hemi === 'W') return -v;
  return hemi === 'N' || hemi === 'E' ? v : undefined;
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * Assembles fixes from NMEA 0183 sentences (RMC for time/date/position/speed/course, GGA for
 * altitude and HDOP). A fix is emitted on each valid RMC. Never throws: bad sentences are errors.
 */
export class NmeaAssembler {
  #gga: { time: string; alt?: number; hdop?: number } | undefined;

  push(line: string): NmeaResult {
    const text = line.trim();
    if (text === '') return { type: 'none' };
    const m = /^\$([A-Z]{2})([A-Z]{3}),(.*)\*([0-9A-Fa-f]{2})$/.exec(text);
    if (!m)
      return text.startsWith('$') ? { type: 'error', reason: 'malformed NMEA sentence' } : { type: 'none' };
    const [, talker, kind, fieldsText, sum] = m;
    if (nmeaChecksum(`${talker}${kind},${fieldsText}`) !== sum?.toUpperCase())
      return { type: 'error', reason: `bad checksum in ${talker}${kind}` };
    const f = (fieldsText ?? '').split(',');
    if (kind === 'GGA') {
      if (f[5] === '0' || !f[0]) return { type: 'none' };
      this.#gga = { time: f[0], alt: num(f[8]), hdop: num(f[7]) };
      return { type: 'none' };
    }
    if (kind !== 'RMC') return { type: 'none' };
    const [time, status, lat, ns, lon, ew, speedKn, course, date] = f;
    if (status !== 'A') return { type: 'none' };
    const la = coord(lat, ns, 2);
    const lo = coord(lon, ew, 3);
    if (la === undefined || lo === undefined)
      return { type: 'error', reason: 'RMC without a usable position' };
    if (!time || !date || !/^\d{6}(\.\d+)?$/.test(time) || !/^\d{6}$/.test(date))
      return { type: 'error', reason: 'RMC without time or date' };
    const t = Date.UTC(
      2000 + Number(date.slice(4, 6)),
      Number(date.slice(2, 4)) - 1,
      Number(date.slice(0, 2)),
      Number(time.slice(0, 2)),
      Number(time.slice(2, 4)),
      Number(time.slice(4, 6)),
      Math.round(Number(`0${time.slice(6)}`) * 1000),
    );
    if (!Number.isFinite(t)) return { type: 'error', reason: 'RMC with an impossible date' };
    const fix: Fix = { t, lat: la, lon: lo };
    const speed = num(speedKn);
    if (speed !== undefined) fix.speed = speed * KNOTS_TO_MPS;
    const c = num(course);
    if (c !== undefined) fix.course = c;
    if (this.#gga && this.#gga.time === time) {
      if (this.#gga.alt !== undefined) fix.alt = this.#gga.alt;
      if (this.#gga.hdop !== undefined) fix.hdop = this.#gga.hdop;
    }
    return { type: 'fix', fix };
  }
}
