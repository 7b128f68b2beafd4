import type { Clock, Timers } from '../clock.ts';
import { LineSource } from './line-source.ts';
import { NmeaAssembler } from './nmea.ts';
import type { InputAdapter } from './port.ts';

/**
 * NMEA 0183 from a serial GPS or a file, for boards without gpsd. The serial port's speed is set
 * outside the agent (`stty -F /dev/ttyUSB0 9600 raw`); the path is reopened if it goes away.
 */
export function nmeaInput(opts: {
  path: string;
  clock: Clock;
  timers: Timers;
  reopenAfterMs?: number | null;
}): InputAdapter & {
  whenEnded(): Promise<void>;
} {
  let source: LineSource | undefined;
  const name = `nmea:${opts.path}`;
  return {
    name,
    start(sink) {
      const nmea = new NmeaAssembler();
      let errors = 0;
      source = new LineSource({
        open: opts.path,
        timers: opts.timers,
        reopenAfterMs: opts.reopenAfterMs,
        onLine: (line) => {
          const r = nmea.push(line);
          if (r.type === 'fix') {
            sink.gpsTime(r.fix.t, opts.clock.now());
            sink.fix(r.fix, { src: 'nmea' });
          } else if (r.type === 'error' && ++errors % 100 === 1) {
            // serial noise is common: report the first and every hundredth, not every line
            sink.reject(name, `${r.reason} (${errors} so far)`);
          }
        },
        onError: (m) => sink.reject(name, m),
      });
      source.start();
    },
    whenEnded: () => source?.whenEnded() ?? Promise.resolve(),
    close() {
      source?.close();
    },
  };
}
