import { constants, createReadStream, fstatSync, openSync, type ReadStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';
import type { TimerHandle, Timers } from '../clock.ts';
import { LineSplitter } from './lines.ts';

export interface LineSourceOptions {
  /** A file or device path (serial port, FIFO), or a stream factory (stdin). */
  open: string | (() => Readable);
  onLine(line: string): void;
  onError(message: string): void;
  timers: Timers;
  /**
   * Reopen after end or error (a serial adapter unplugged and plugged back): default 5 s for
   * devices and FIFOs. A plain file is read once (a capture replayed), not re-sent every 5 s.
   */
  reopenAfterMs?: number | null;
  maxLineBytes?: number;
  /** Called when the source reaches its end or is closed (flush what is pending). */
  onEnd?(): void;
}

export type LineSourceState = 'idle' | 'open' | 'waiting' | 'ended' | 'closed';

/**
 * Opens a path for reading. A serial port, pty or FIFO is opened non-blocking and read through
 * the event loop (a tty or pipe handle): a blocking read of a silent device would sit in a libuv
 * worker thread that close() cannot interrupt, and keep the process from exiting on SIGTERM.
 * A plain file is read as a file stream.
 */
export function openPath(path: string): { stream: Readable; kind: 'file' | 'device' } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  const st = fstatSync(fd);
  if (st.isFile()) return { stream: createReadStream(path, { fd }), kind: 'file' };
  if (isatty(fd)) return { stream: new TtyReadStream(fd), kind: 'device' };
  return { stream: new Socket({ fd, readable: true, writable: false }), kind: 'device' };
}

/**
 * Reads lines from a path or stream, with bounded lines and reopen-on-failure. Serial ports are
 * configured outside the agent (e.g. `stty -F /dev/ttyUSB0 4800 raw` in the systemd unit).
 */
export class LineSource {
  readonly #o: LineSourceOptions;
  #state: LineSourceState = 'idle';
  #stream: Readable | undefined;
  #timer: TimerHandle | undefined;
  #splitter: LineSplitter;
  #ended: (() => void)[] = [];
  #kind: 'file' | 'device' | 'stream' = 'stream';

  constructor(options: LineSourceOptions) {
    this.#o = options;
    this.#splitter = new LineSplitter(options.maxLineBytes);
  }

  get state(): LineSourceState {
    return this.#state;
  }

  /** Lines dropped for being too long. */
  get dropped(): number {
    return this.#splitter.dropped;
  }

  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'waiting') return;
    const { open } = this.#o;
    let stream: Readable;
    try {
      if (typeof open === 'string') {
        const opened = openPath(open);
        stream = opened.stream;
        this.#kind = opened.kind;
      } else stream = open();
    } catch (error) {
      this.#failed((error as Error).message);
      return;
    }
    this.#stream = stream;
    this.#state = 'open';
    this.#splitter = new LineSplitter(this.#o.maxLineBytes);
    stream.on('data', (chunk: Buffer | string) => {
      for (const line of this.#splitter.push(chunk)) this.#o.onLine(line);
    });
    stream.once('end', () => {
      for (const line of this.#splitter.end()) this.#o.onLine(line);
      this.#o.onEnd?.();
      this.#finished();
    });
    stream.once('error', (e) => this.#failed(e.message));
  }

  /** Resolves when the source reached its end without reopening (tests, file replays). */
  whenEnded(): Promise<void> {
    if (this.#state === 'ended' || this.#state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.#ended.push(resolve));
  }

  close(): void {
    this.#state = 'closed';
    this.#o.timers.clearTimeout(this.#timer);
    const s = this.#stream;
    this.#stream = undefined;
    if (s && s !== process.stdin) s.destroy();
    else s?.pause();
    this.#o.onEnd?.();
    for (const r of this.#ended.splice(0)) r();
  }

  #reopenMs(): number | null {
    if (this.#o.reopenAfterMs !== undefined) return this.#o.reopenAfterMs;
    return this.#kind === 'device' || (typeof this.#o.open === 'string' && this.#kind !== 'file')
      ? 5_000
      : null;
  }

  #failed(message: string): void {
    if (this.#state === 'closed') return;
    const path = typeof this.#o.open === 'string' ? this.#o.open : 'stream';
    this.#o.onError(`${path}: ${message}`);
    this.#finished();
  }

  #finished(): void {
    if (this.#state === 'closed' || this.#state === 'waiting') return;
    (this.#stream as ReadStream | undefined)?.destroy?.();
    this.#stream = undefined;
    const ms = this.#reopenMs();
    if (ms === null) {
      this.#state = 'ended';
      for (const r of this.#ended.splice(0)) r();
      return;
    }
    this.#state = 'waiting';
    this.#timer = this.#o.timers.setTimeout(() => this.start(), ms);
  }
}
