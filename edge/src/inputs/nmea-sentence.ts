import { timeOfDayMs } from './gnss-time.ts';

/**
 * One NMEA 0183 sentence, parsed to what a fix needs. Position sentences from any talker
 * (GP, GN, GL, GA, GB, BD, QZ, …): RMC, GGA, GNS, GLL; ZDA for a four-digit-year date.
 * Proprietary sentences (`$P<maker>…`: PUBX, PERC, PASHR, PGRME…) are recognised and set apart.
 */
export type NmeaSentence =
  | {
      type: 'position';
      kind: 'RMC' | 'GGA' | 'GNS' | 'GLL';
      talker: string;
      /** ms since UTC midnight, when the sentence has a time. */
      tod?: number;
      /** The receiver says this is a fix (status A, quality > 0, mode not N). */
      valid: boolean;
      lat?: number;
      lon?: number;
      /** RMC only: `ddmmyy`. */
      date?: string;
      alt?: number;
      hdop?: number;
      speedMps?: number;
      course?: number;
    }
  | { type: 'date'; kind: 'ZDA'; talker: string; tod?: number; day: number; month: number; year: number }
  | { type: 'other'; kind: string; talker: string }
  | { type: 'proprietary'; maker: string };

export type ParseResult =
  | { ok: true; sentence: NmeaSentence; checksum: boolean }
  | { ok: false; reason: 'malformed' | 'checksum'; detail: string };

const KNOTS_TO_MPS = 0.514444;

/** XOR of the characters between `$` and `*` [NMEA 0183]. */
export function nmeaChecksum(body: string): string {
  let c = 0;
  for (let i = 0; i < body.length; i++) c ^= body.charCodeAt(i);
  return c.toString(16).toUpperCase().padStart(2, '0');
}

/** Splits a line into `$…` sentences: a doubled `$$` or two sentences run together both happen. */
export function splitSentences(line: string): string[] {
  const out: string[] = [];
  for (const part of line.split('$').slice(1)) {
    const s = part.trim();
    if (s !== '') out.push(s);
  }
  return out;
}

/** `4224.6192`,`N` → 42.41032; `10652.4466`,`E` → 106.87411. */
function coord(value: string | undefined, hemi: string | undefined, degDigits: number): number | undefined {
  if (!value || !hemi || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const dot = value.indexOf('.');
  if ((dot === -1 ? value.length : dot) < degDigits + 2) return undefined;
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

/** Parses one sentence (without its leading `$`). Never throws. */
export function parseSentence(text: string): ParseResult {
  const star = text.lastIndexOf('*');
  let body = text;
  let checksum = false;
  if (star !== -1) {
    const sum = text.slice(star + 1).trim();
    body = text.slice(0, star);
    if (!/^[0-9A-Fa-f]{2}$/.test(sum))
      return { ok: false, reason: 'malformed', detail: 'unreadable checksum' };
    if (nmeaChecksum(body) !== sum.toUpperCase())
      return { ok: false, reason: 'checksum', detail: `bad checksum in ${body.slice(0, 6)}` };
    checksum = true;
  }
  const comma = body.indexOf(',');
  const address = comma === -1 ? body : body.slice(0, comma);
  if (/^P[A-Z0-9]{1,9}$/.test(address)) {
    return { ok: true, sentence: { type: 'proprietary', maker: address.slice(1, 4) }, checksum };
  }
  if (!/^[A-Z]{2}[A-Z]{3}$/.test(address))
    return {
      ok: false,
      reason: 'malformed',
      detail: `not an NMEA address: ${JSON.stringify(address.slice(0, 12))}`,
    };
  const talker = address.slice(0, 2);
  const kind = address.slice(2);
  const f = comma === -1 ? [] : body.slice(comma + 1).split(',');
  switch (kind) {
    case 'RMC': {
      const mode = f[11];
      return position('RMC', talker, checksum, {
        tod: timeOfDayMs(f[0]),
        valid: f[1] === 'A' && mode !== 'N',
        lat: coord(f[2], f[3], 2),
        lon: coord(f[4], f[5], 3),
        speedMps: mul(num(f[6]), KNOTS_TO_MPS),
        course: num(f[7]),
        date: f[8] && /^\d{6}$/.test(f[8]) ? f[8] : undefined,
      });
    }
    case 'GGA':
      return position('GGA', talker, checksum, {
        tod: timeOfDayMs(f[0]),
        lat: coord(f[1], f[2], 2),
        lon: coord(f[3], f[4], 3),
        // A quality but no satellite in use is no fix (receivers coasting on old data) [gpsd]
        valid: f[5] !== undefined && f[5] !== '' && f[5] !== '0' && num(f[6]) !== 0,
        hdop: num(f[7]),
        alt: num(f[8]),
      });
    case 'GNS':
      return position('GNS', talker, checksum, {
        tod: timeOfDayMs(f[0]),
        lat: coord(f[1], f[2], 2),
        lon: coord(f[3], f[4], 3),
        valid: /[^N]/.test(f[5] ?? '') && /^[A-Z]+$/.test(f[5] ?? '') && num(f[6]) !== 0,
        hdop: num(f[7]),
        alt: num(f[8]),
      });
    case 'GLL':
      return position('GLL', talker, checksum, {
        lat: coord(f[0], f[1], 2),
        lon: coord(f[2], f[3], 3),
        tod: timeOfDayMs(f[4]),
        valid: f[5] === 'A' && f[6] !== 'N',
      });
    case 'ZDA': {
      const day = num(f[1]);
      const month = num(f[2]);
      const year = num(f[3]);
      if (day === undefined || month === undefined || year === undefined)
        return { ok: true, sentence: { type: 'other', kind, talker }, checksum };
      return {
        ok: true,
        sentence: { type: 'date', kind: 'ZDA', talker, tod: timeOfDayMs(f[0]), day, month, year },
        checksum,
      };
    }
    default:
      return { ok: true, sentence: { type: 'other', kind, talker }, checksum };
  }
}

const mul = (a: number | undefined, b: number) => (a === undefined ? undefined : a * b);

function position(
  kind: 'RMC' | 'GGA' | 'GNS' | 'GLL',
  talker: string,
  checksum: boolean,
  p: Omit<Extract<NmeaSentence, { type: 'position' }>, 'type' | 'kind' | 'talker'>,
): ParseResult {
  const s: Extract<NmeaSentence, { type: 'position' }> = { type: 'position', kind, talker, valid: p.valid };
  for (const [k, v] of Object.entries(p)) if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  return { ok: true, sentence: s, checksum };
}
