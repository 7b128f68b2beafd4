import { type Clock, type TimerHandle, type Timers, trustedClock } from '../clock.ts';
import { LineSource } from './line-source.ts';
import { NmeaAssembler, type NmeaEvent, type NmeaStats } from './nmea.ts';
import type { InputAdapter } from './port.ts';

/**
 * NMEA 0183 from a serial GPS, a pty or FIFO, or a file, for boards without gpsd. The serial
 * port's speed is set outside the agent (`stty -F /dev/ttyUSB0 9600 raw`); a device path is
 * reopened if it goes away, a plain file is read once.
 */
export function nmeaInput(opts: {
  path: string;
  clock: Clock;
  timers: Timers;
  reopenAfterMs?: number | null;
  /** Trusted clock for two-digit years and week rollover (default: trustedClock(clock)). */
  trustedNow?: () => number;
  /** The epoch in progress is emitted after this long without a line (a receiver gone quiet). */
  idleFlushMs?: number;
}): NmeaInput {
  let source: LineSource | undefined;
  let nmea: NmeaAssembler | undefined;
  let problemReported = false;
  const name = `nmea:${opts.path}`;
  const idleFlushMs = opts.idleFlushMs ?? 1_500;
  return {
    name,
    start(sink) {
      const a = new NmeaAssembler({ trustedNow: opts.trustedNow ?? trustedClock(opts.clock) });
      nmea = a;
      let errors = 0;
      let idle: TimerHandle | undefined;
      const handle = (events: NmeaEvent[]) => {
        for (const e of events) {
          if (e.type === 'fix') {
            if (e.dated === 'receiver') sink.gpsTime(e.fix.t, opts.clock.now());
            sink.fix(e.fix, { src: 'nmea' });
          } else if (++errors % 100 === 1) {
            // serial noise is common: report the first and every hundredth, not every line
            sink.reject(name, `${e.reason} (${errors} so far)`);
          }
        }
        const problem = a.problem();
        if (problem && !problemReported) {
          problemReported = true;
          sink.reject(name, problem);
        }
      };
      source = new LineSource({
        open: opts.path,
        timers: opts.timers,
        reopenAfterMs: opts.reopenAfterMs,
        onLine: (line) => {
          handle(a.push(line));
          opts.timers.clearTimeout(idle);
          idle = opts.timers.setTimeout(() => handle(a.flush()), idleFlushMs);
        },
        onEnd: () => {
          opts.timers.clearTimeout(idle);
          handle(a.flush());
        },
        onError: (m) => sink.reject(name, m),
      });
      source.start();
    },
    whenEnded: () => source?.whenEnded() ?? Promise.resolve(),
    health: () => nmeaHealth(nmea),
    close() {
      source?.close();
    },
  };
}

export interface NmeaInput extends InputAdapter {
  /** Resolves when a plain file has been read to its end (tests, replays). */
  whenEnded(): Promise<void>;
  health(): NmeaHealth;
}

export interface NmeaHealth extends Partial<NmeaStats> {
  /** A sentence when the receiver sends nothing the agent can use. */
  problem?: string;
}

export function nmeaHealth(a: NmeaAssembler | undefined): NmeaHealth {
  if (!a) return {};
  const problem = a.problem();
  return { ...a.stats, ...(problem ? { problem } : {}) };
}
