import { connect, type Socket } from 'node:net';
import { z } from 'zod';
import { type Clock, type TimerHandle, type Timers, trustedClock } from '../clock.ts';
import { backoffDelayMs } from '@steppelink/protocols/backoff';
import { errorMessage, type Logger, silentLogger } from '../logger.ts';
import { nearestEra } from './gnss-time.ts';
import { LineSplitter } from './lines.ts';
import type { InputAdapter, InputSink } from './port.ts';

/** gpsd's TPV report (time-position-velocity), the fields we use [gpsd_json(5)]. */
const tpvSchema = z.object({
  class: z.literal('TPV'),
  mode: z.number().int(),
  time: z.string().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
  alt: z.number().optional(),
  altMSL: z.number().optional(),
  speed: z.number().optional(),
  track: z.number().optional(),
});
const skySchema = z.object({ class: z.literal('SKY'), hdop: z.number().optional() });
const WATCH = '?WATCH={"enable":true,"json":true};\n';

export type GpsdState = 'idle' | 'connecting' | 'watching' | 'backoff' | 'closed';

export interface GpsdOptions {
  host: string;
  port: number;
  clock: Clock;
  timers: Timers;
  random?: () => number;
  /** First reconnect delay when gpsd is down or restarts. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Trusted clock for GPS week-era checks of gpsd's times (default: the system clock, floored). */
  trustedNow?: () => number;
  logger?: Logger;
}

/** What /health shows for a gpsd input. */
export interface GpsdHealth {
  state: GpsdState;
  /** Since when (epoch ms, device clock) gpsd has been unreachable; absent while watching. */
  downSince?: number;
  lastError?: string;
  /** Times the connection to gpsd was lost (or could not be made) since start. */
  outages: number;
  tpv: number;
  fixes: number;
  bad: number;
  /** TPV times gpsd placed in the wrong GPS week era, corrected against the trusted clock. */
  eraCorrected: number;
}

/**
 * gpsd client over its JSON protocol (TCP 2947): WATCH, then every TPV with a 2D/3D fix becomes
 * a fix (time from the GPS) and a GPS-time observation for the clock offset. HDOP comes from the
 * latest SKY report. Reconnects with backoff when gpsd goes away; the loss and the return are
 * logged once each (not every retry) and shown by health(). A TPV time in the wrong GPS week era
 * (gpsd sometimes adds 1024 weeks to a right date) is put back in the era of the trusted clock,
 * as the direct NMEA input does.
 */
export class GpsdInput implements InputAdapter {
  readonly name: string;
  readonly #o: GpsdOptions;
  #state: GpsdState = 'idle';
  #socket: Socket | undefined;
  #timer: TimerHandle | undefined;
  #attempt = 0;
  #hdop: number | undefined;
  #sink: InputSink | undefined;
  /** TPV reports seen, fixes passed on, lines that were not gpsd JSON. */
  readonly counts = { tpv: 0, fixes: 0, bad: 0 };
  #downSince: number | undefined;
  #lastError: string | undefined;
  #outages = 0;
  #eraCorrected = 0;
  readonly #log: Logger;

  constructor(options: GpsdOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.name = `gpsd:${options.host}:${options.port}`;
  }

  health(): GpsdHealth {
    return {
      state: this.#state,
      ...(this.#downSince !== undefined ? { downSince: this.#downSince } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      outages: this.#outages,
      ...this.counts,
      eraCorrected: this.#eraCorrected,
    };
  }

  get state(): GpsdState {
    return this.#state;
  }

  start(sink: InputSink): void {
    this.#sink = sink;
    this.#connect();
  }

  close(): Promise<void> {
    this.#state = 'closed';
    this.#o.timers.clearTimeout(this.#timer);
    const s = this.#socket;
    this.#socket = undefined;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  #connect(): void {
    if (this.#state === 'closed') return;
    this.#state = 'connecting';
    const splitter = new LineSplitter();
    const s = connect({ host: this.#o.host, port: this.#o.port });
    this.#socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      this.#state = 'watching';
      this.#attempt = 0;
      if (this.#downSince !== undefined) {
        this.#log.info('gpsd.back', { input: this.name, downMs: this.#o.clock.now() - this.#downSince });
        this.#downSince = undefined;
      } else this.#log.info('gpsd.connected', { input: this.name });
      s.write(WATCH);
    });
    s.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) this.#line(line);
    });
    s.on('error', (e) => {
      this.#lastError = errorMessage(e); // 'close' follows
    });
    s.on('close', () => {
      if (this.#socket !== s || this.#state === 'closed') return;
      this.#socket = undefined;
      if (this.#downSince === undefined) {
        // Logged once per outage; the retries are not.
        this.#downSince = this.#o.clock.now();
        this.#outages++;
        this.#log.warn('gpsd.lost', { input: this.name, error: this.#lastError ?? 'connection closed' });
      }
      this.#state = 'backoff';
      const delay = backoffDelayMs(
        ++this.#attempt,
        { initialMs: this.#o.reconnectInitialMs ?? 1_000, maxMs: this.#o.reconnectMaxMs ?? 60_000 },
        this.#o.random ?? Math.random,
      );
      this.#timer = this.#o.timers.setTimeout(() => this.#connect(), delay);
    });
  }

  #line(line: string): void {
    const sink = this.#sink;
    if (!sink || line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.counts.bad++;
      return;
    }
    const sky = skySchema.safeParse(value);
    if (sky.success) {
      if (sky.data.hdop !== undefined) this.#hdop = sky.data.hdop;
      return;
    }
    const tpv = tpvSchema.safeParse(value);
    if (!tpv.success) return; // VERSION, DEVICES, WATCH, ... or a class we do not use
    this.counts.tpv++;
    const r = tpv.data;
    if (r.mode < 2 || r.lat === undefined || r.lon === undefined || r.time === undefined) return;
    const said = Date.parse(r.time);
    if (!Number.isFinite(said)) {
      sink.reject(this.name, `TPV with unreadable time ${JSON.stringify(r.time)}`);
      return;
    }
    const t = nearestEra(said, (this.#o.trustedNow ?? trustedClock(this.#o.clock))());
    if (t !== said) this.#eraCorrected++;
    sink.gpsTime(t, this.#o.clock.now());
    const alt = r.altMSL ?? r.alt;
    this.counts.fixes++;
    sink.fix(
      {
        t,
        lat: r.lat,
        lon: r.lon,
        ...(alt !== undefined ? { alt } : {}),
        ...(r.speed !== undefined ? { speed: r.speed } : {}),
        ...(r.track !== undefined ? { course: r.track } : {}),
        ...(this.#hdop !== undefined ? { hdop: this.#hdop } : {}),
      },
      { src: 'gpsd' },
    );
  }
}
