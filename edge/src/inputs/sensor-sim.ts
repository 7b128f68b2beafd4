import type { GrazingReading } from '@steppelink/protocols';
import type { Clock, TimerHandle, Timers } from '../clock.ts';
import type { InputAdapter } from './port.ts';

export interface SensorSimOptions {
  clock: Clock;
  timers: Timers;
  random?: () => number;
  /** One round of readings this often. */
  intervalS: number;
  /** Where the herd grazes (the household's pasture). */
  home: { lat: number; lon: number };
  /** Suffix for sensor ids, e.g. the household number `0007`. */
  tag: string;
  collars?: number;
}

/**
 * Simulated grazing sensors for the demo: a water point slowly drawn down and refilled, a gate
 * counter, collars wandering around the household's pasture. Same path as real sensors.
 */
export function sensorSimInput(o: SensorSimOptions): InputAdapter {
  const random = o.random ?? Math.random;
  let timer: TimerHandle | undefined;
  let level = 80;
  let headCount = 300;
  const collars = Array.from({ length: o.collars ?? 3 }, (_, i) => ({
    id: `col-${o.tag}-${String.fromCharCode(97 + i)}`,
    lat: o.home.lat,
    lon: o.home.lon,
    battery: 100 - i * 7,
  }));
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    name: 'sensor-sim',
    start(sink) {
      const tick = () => {
        const t = o.clock.now();
        level = level < 15 ? 95 : level - random() * 3;
        headCount = Math.max(0, headCount + Math.round((random() - 0.5) * 6));
        const readings: GrazingReading[] = [
          { type: 'water', t, pointId: `wp-${o.tag}-1`, levelPct: round(level, 1), frozen: false },
          { type: 'gate', t, gateId: `gate-${o.tag}`, headCount, direction: 'net' },
        ];
        for (const c of collars) {
          c.lat = round(c.lat + (random() - 0.5) * 0.002, 6);
          c.lon = round(c.lon + (random() - 0.5) * 0.002, 6);
          c.battery = Math.max(0, round(c.battery - 0.05, 2));
          readings.push({
            type: 'collar',
            t,
            collarId: c.id,
            battery: c.battery,
            activity: Math.round(random() * 100),
            pos: { lat: c.lat, lon: c.lon },
          });
        }
        for (const r of readings) sink.reading(r);
        timer = o.timers.setTimeout(tick, o.intervalS * 1000);
      };
      timer = o.timers.setTimeout(tick, o.intervalS * 1000);
    },
    close() {
      o.timers.clearTimeout(timer);
    },
  };
}
