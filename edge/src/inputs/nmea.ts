import type { Fix } from '@steppelink/protocols';
import { onNearestDay, resolveFullDate, resolveNmeaDate } from './gnss-time.ts';
import { type NmeaSentence, parseSentence, splitSentences } from './nmea-sentence.ts';

export { nmeaChecksum } from './nmea-sentence.ts';

/**
 * A fix assembled from one epoch. `dated`: the date came from the receiver (RMC, ZDA), or —
 * for a receiver that never sends one (GGA-only) — from the trusted clock; only receiver-dated
 * fixes may correct the device clock.
 */
export type NmeaEvent =
  | { type: 'fix'; fix: Fix; dated: 'receiver' | 'clock' }
  | { type: 'error'; reason: string };

/** What a receiver sent: for /health and the "can't use this receiver" line. */
export interface NmeaStats {
  sentences: number;
  /** Position sentences by kind and talker, e.g. `GNRMC: 120`. */
  used: Record<string, number>;
  /** Proprietary sentences by maker (`$PUBX` → UBX): valid, but not for us. */
  proprietary: Record<string, number>;
  /** Standard sentences the agent does not read (GSV, GSA, VTG, TXT…), by kind. */
  unsupported: Record<string, number>;
  malformed: number;
  badChecksum: number;
  fixes: number;
  /** Position epochs dropped because no date was known yet. */
  undated: number;
}

export interface NmeaAssemblerOptions {
  /** The trusted clock (epoch ms) used to resolve two-digit years and week rollover. */
  trustedNow(): number;
  /** Position epochs without a receiver date before the agent dates them by the clock instead. */
  clockDateAfterEpochs?: number;
}

interface Epoch {
  tod: number;
  lat?: number;
  lon?: number;
  alt?: number;
  hdop?: number;
  speed?: number;
  course?: number;
  /** UTC midnight from an RMC of this epoch. */
  midnight?: number;
}

const bump = (r: Record<string, number>, k: string) => {
  r[k] = (r[k] ?? 0) + 1;
};

/**
 * Assembles fixes from NMEA 0183, one per epoch (the sentences sharing a UTC time of day):
 * position from the last valid RMC/GGA/GNS/GLL of the epoch, altitude and HDOP from GGA/GNS,
 * speed and course from RMC, the date from RMC or ZDA (resolved against the trusted clock) and
 * carried across midnight. An epoch is emitted when the next one starts, or on flush().
 * Never throws: bad sentences are counted and returned as errors.
 */
export class NmeaAssembler {
  readonly stats: NmeaStats = {
    sentences: 0,
    used: {},
    proprietary: {},
    unsupported: {},
    malformed: 0,
    badChecksum: 0,
    fixes: 0,
    undated: 0,
  };
  readonly #o: Required<NmeaAssemblerOptions>;
  #epoch: Epoch | undefined;
  /** The last receiver date: the fix time (ms) it dated. */
  #dateAnchor: number | undefined;
  #undatedEpochs = 0;

  constructor(options: NmeaAssemblerOptions) {
    this.#o = { clockDateAfterEpochs: 10, ...options };
  }

  /** Feeds one line (it may hold several sentences, or none). */
  push(line: string): NmeaEvent[] {
    const out: NmeaEvent[] = [];
    for (const text of splitSentences(line)) {
      this.stats.sentences++;
      const r = parseSentence(text);
      if (!r.ok) {
        if (r.reason === 'checksum') this.stats.badChecksum++;
        else this.stats.malformed++;
        out.push({ type: 'error', reason: r.detail });
        continue;
      }
      this.#sentence(r.sentence, out);
    }
    return out;
  }

  /** Emits the epoch in progress (end of input, or the receiver went quiet). */
  flush(): NmeaEvent[] {
    const out: NmeaEvent[] = [];
    this.#emit(out);
    return out;
  }

  #sentence(s: NmeaSentence, out: NmeaEvent[]): void {
    if (s.type === 'proprietary') {
      bump(this.stats.proprietary, s.maker);
      return;
    }
    if (s.type === 'other') {
      bump(this.stats.unsupported, s.kind);
      return;
    }
    if (s.type === 'date') {
      if (s.tod === undefined) return;
      const midnight = resolveFullDate(s.day, s.month, s.year, s.tod, this.#o.trustedNow());
      if (midnight !== undefined) this.#dateAnchor = midnight + s.tod;
      return;
    }
    bump(this.stats.used, `${s.talker}${s.kind}`);
    const tod = s.tod ?? this.#epoch?.tod;
    if (tod === undefined) return;
    if (this.#epoch && this.#epoch.tod !== tod) this.#emit(out);
    const e = this.#epoch ?? { tod };
    this.#epoch = e;
    if (s.kind === 'RMC' && s.valid && s.date) {
      const midnight = resolveNmeaDate(s.date, tod, this.#o.trustedNow());
      if (midnight !== undefined) {
        e.midnight = midnight;
        this.#dateAnchor = midnight + tod;
      }
    }
    if (!s.valid || s.lat === undefined || s.lon === undefined) return;
    e.lat = s.lat;
    e.lon = s.lon;
    if (s.alt !== undefined) e.alt = s.alt;
    if (s.hdop !== undefined) e.hdop = s.hdop;
    if (s.speedMps !== undefined) e.speed = s.speedMps;
    if (s.course !== undefined) e.course = s.course;
  }

  #emit(out: NmeaEvent[]): void {
    const e = this.#epoch;
    this.#epoch = undefined;
    if (!e || e.lat === undefined || e.lon === undefined) return;
    let t: number;
    let dated: 'receiver' | 'clock' = 'receiver';
    if (e.midnight !== undefined) t = e.midnight + e.tod;
    else if (this.#dateAnchor !== undefined) t = onNearestDay(e.tod, this.#dateAnchor);
    else if (++this.#undatedEpochs > this.#o.clockDateAfterEpochs) {
      // A receiver that never sends a date (GGA-only): the trusted clock gives the day.
      t = onNearestDay(e.tod, this.#o.trustedNow());
      dated = 'clock';
    } else {
      this.stats.undated++;
      return;
    }
    if (dated === 'receiver') this.#dateAnchor = t;
    const fix: Fix = { t, lat: e.lat, lon: e.lon };
    for (const k of ['alt', 'hdop', 'speed', 'course'] as const) if (e[k] !== undefined) fix[k] = e[k];
    this.stats.fixes++;
    out.push({ type: 'fix', fix, dated });
  }

  /** A sentence of what this receiver sends that the agent cannot use, or undefined if it is fine. */
  problem(): string | undefined {
    const s = this.stats;
    if (s.sentences < 20 || Object.keys(s.used).length > 0) return undefined;
    const seen = [...Object.keys(s.unsupported), ...Object.keys(s.proprietary).map((m) => `P${m}`)];
    return `${s.sentences} sentences but none with a position (RMC, GGA, GNS or GLL)${seen.length > 0 ? `; seen: ${seen.slice(0, 8).join(', ')}` : ''}${s.malformed + s.badChecksum > 0 ? `; ${s.malformed + s.badChecksum} unreadable` : ''}. Check the receiver's output settings and serial speed.`;
  }
}
