import type { Fix, GrazingReading, SosCategory } from '@steppelink/protocols';
import type { SosResult } from '../sos.ts';
import type { ReplyResult } from '../sos-talk.ts';

export type FixSource = 'gpsd' | 'nmea' | 'sim' | 'phone';

/**
 * What input adapters feed. Every call returns only after the input was written durably
 * (or was refused with a reason), so "accepted" means it survives a power cut.
 */
export interface InputSink {
  sosPress(source: string, category?: SosCategory): SosResult;
  sosCancel(source: string): SosResult;
  sosConfirmCancel(source: string): SosResult;
  /** The household answers during its SOS (remote control): a canned code and/or short text, queued like the SOS. */
  sosReply(source: string, reply: { canned?: string; text?: string }): ReplyResult;
  /** A GPS fix; sampled to one per posIntervalS (by fix time) and staged for a position batch. */
  fix(fix: Fix, meta: { src: FixSource; subject?: string }): void;
  /** GPS time observed at local time `localMs` (for the clock offset). */
  gpsTime(gpsMs: number, localMs?: number): void;
  /** A validated grazing sensor reading, staged for a grazing batch. */
  reading(reading: GrazingReading): void;
  /** Bad input: counted and logged, never thrown. */
  reject(source: string, reason: string): void;
}

/** One input adapter (gpsd, NMEA, sensor line protocol, SOS key, stdin...). */
export interface InputAdapter {
  readonly name: string;
  start(sink: InputSink): Promise<void> | void;
  close(): Promise<void> | void;
  /** What the input has seen and its state (receiver sentences, gpsd connection), for /health. */
  health?(): object;
}
