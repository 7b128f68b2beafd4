import {
  compactFixSchema,
  epochMsSchema,
  type Fix,
  type GrazingReading,
  grazingReadingSchema,
  latSchema,
  lonSchema,
} from '@steppelink/protocols';
import type { Batcher } from '../batcher.ts';
import type { TimeSource } from '../clock.ts';
import type { StagedFix } from '../entries.ts';
import { errorMessage, type Logger } from '../logger.ts';
import { StorageRefusedError } from '../outbox/storage.ts';
import type { SosController } from '../sos.ts';
import type { ReplyResult } from '../sos-talk.ts';
import type { FixSource, InputSink } from './port.ts';

export interface SinkCounters {
  fixes: number;
  fixesRecorded: number;
  readings: number;
  sosPresses: number;
  rejected: number;
  /** Fixes dropped because their time was not after the last recorded one (a receiver's time ran back). */
  fixesBackwards: number;
  /** Fixes and readings not staged because the outbox storage is full or failing (see `storage`). */
  refusedStorage: number;
  lastFix?: Fix;
}

export interface SinkOptions {
  sos: SosController;
  /** The household's reply during its SOS (the agent's SosTalk). */
  reply(r: { canned?: string; text?: string }): ReplyResult;
  batcher: Batcher;
  time: TimeSource;
  posIntervalMs(): number;
  logger: Logger;
  onStaged(stream: string, item: string): void;
  onReject(source: string, reason: string): void;
}

const optionalRanges = compactFixSchema.def.items;
/** A fix this far behind the last recorded one, BACKWARDS_FOLLOW_FIXES times in a row, resets the stream's time. */
const BACKWARDS_FOLLOW_MS = 3_600_000;
const BACKWARDS_FOLLOW_FIXES = 30;

/** Keeps an optional fix field only if the protocol accepts it (a bad speed must not sink the batch). */
function ok(value: number | undefined, index: 3 | 4 | 5 | 6): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return optionalRanges[index].safeParse(value).success ? value : undefined;
}

/** The agent's InputSink: validates, samples and stages inputs, and routes SOS key events. */
export function createSink(o: SinkOptions): { sink: InputSink; counters: SinkCounters } {
  const counters: SinkCounters = {
    fixes: 0,
    fixesRecorded: 0,
    readings: 0,
    sosPresses: 0,
    rejected: 0,
    fixesBackwards: 0,
    refusedStorage: 0,
  };
  const lastRecorded = new Map<string, number>();
  /** Consecutive fixes far behind the last recorded one, per stream. */
  const farBehind = new Map<string, number>();

  const reject = (source: string, reason: string) => {
    counters.rejected++;
    o.logger.warn('input.rejected', { source, reason });
    o.onReject(source, reason);
  };
  const stage = (source: string, stream: string, item: string) => {
    try {
      o.batcher.add(stream, item);
      o.logger.debug('input.staged', { stream, item });
      o.onStaged(stream, item);
      return true;
    } catch (error) {
      // A full disk refuses telemetry by design: counted, and logged once by the agent's storage watch.
      if (error instanceof StorageRefusedError) counters.refusedStorage++;
      else reject(source, `could not stage: ${errorMessage(error)}`);
      return false;
    }
  };

  const sink: InputSink = {
    sosPress(source, category) {
      counters.sosPresses++;
      o.logger.info('sos.press', { source });
      return o.sos.press(category);
    },
    sosCancel(source) {
      o.logger.info('sos.cancel', { source });
      return o.sos.cancel();
    },
    sosConfirmCancel(source) {
      o.logger.info('sos.cancel_confirmed', { source });
      return o.sos.confirmCancel();
    },
    sosReply(source, r) {
      const out = o.reply(r);
      // what was said stays out of the log: only that a reply was made, and how it ended
      if (out.ok) o.logger.info('sos.reply', { source, canned: out.line.canned ?? null });
      else reject(source, `reply refused: ${out.message}`);
      return out;
    },
    fix(fix, meta: { src: FixSource; subject?: string }) {
      counters.fixes++;
      if (!latSchema.safeParse(fix.lat).success || !lonSchema.safeParse(fix.lon).success) {
        return reject(meta.src, `fix outside WGS-84 range: ${fix.lat}, ${fix.lon}`);
      }
      const t = epochMsSchema.safeParse(Math.round(fix.t)).success ? Math.round(fix.t) : o.time.now();
      const stream = meta.subject ? `pos/${meta.subject}` : 'pos';
      const last = lastRecorded.get(stream);
      if (last !== undefined && t <= last) {
        // Time going backwards (a receiver glitch or replay) must not overwrite the fixes the hub
        // already has for those times: drop. Only a receiver that stays far behind for a while
        // (the earlier times were the wrong ones) is followed from there on.
        counters.fixesBackwards++;
        const run = last - t > BACKWARDS_FOLLOW_MS ? (farBehind.get(stream) ?? 0) + 1 : 0;
        farBehind.set(stream, run);
        if (run < BACKWARDS_FOLLOW_FIXES) return;
        o.logger.warn('input.time_jumped_back', { source: meta.src, stream, from: last, to: t });
        farBehind.delete(stream);
      } else if (last !== undefined && t - last < o.posIntervalMs()) return;
      const staged: StagedFix = { t, lat: fix.lat, lon: fix.lon, src: meta.src };
      const extra = {
        alt: ok(fix.alt, 3),
        hdop: ok(fix.hdop, 4),
        speed: ok(fix.speed, 5),
        course: ok(fix.course, 6),
      };
      for (const [k, v] of Object.entries(extra))
        if (v !== undefined) (staged as Record<string, unknown>)[k] = v;
      if (stage(meta.src, stream, JSON.stringify(staged))) {
        lastRecorded.set(stream, t);
        farBehind.delete(stream);
        counters.fixesRecorded++;
        counters.lastFix = { t, lat: fix.lat, lon: fix.lon };
      }
    },
    gpsTime(gpsMs, localMs) {
      o.time.observeGps(gpsMs, localMs);
    },
    reading(reading: GrazingReading) {
      const parsed = grazingReadingSchema.safeParse(reading);
      if (!parsed.success) return reject('sensor', parsed.error.issues[0]?.message ?? 'invalid reading');
      counters.readings++;
      stage('sensor', 'grazing', JSON.stringify(parsed.data));
    },
    reject,
  };
  return { sink, counters };
}
