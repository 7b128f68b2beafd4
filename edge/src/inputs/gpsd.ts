import { connect, type Socket } from 'node:net';
import { z } from 'zod';
import type { Clock, TimerHandle, Timers } from '../clock.ts';
import { backoffDelayMs } from '../link/backoff.ts';
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
}

/**
 * gpsd client over its JSON protocol (TCP 2947): WATCH, then every TPV with a 2D/3D fix becomes
 * a fix (time from the GPS) and a GPS-time observation for the clock offset. HDOP comes from the
 * latest SKY report. Reconnects with backoff when gpsd goes away.
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

  constructor(options: GpsdOptions) {
    this.#o = options;
    this.name = `gpsd:${options.host}:${options.port}`;
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
      s.write(WATCH);
    });
    s.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) this.#line(line);
    });
    s.on('error', () => {}); // 'close' follows; the reason is not actionable beyond retrying
    s.on('close', () => {
      if (this.#socket !== s || this.#state === 'closed') return;
      this.#socket = undefined;
      this.#state = 'backoff';
      const delay = backoffDelayMs(
        this.#attempt++,
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
    const t = Date.parse(r.time);
    if (!Number.isFinite(t)) {
      sink.reject(this.name, `TPV with unreadable time ${JSON.stringify(r.time)}`);
      return;
    }
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
