import { createReadStream, type ReadStream } from 'node:fs';
import type { SosCategory } from '@steppelink/protocols';
import type { TimerHandle, Timers } from '../clock.ts';
import type { InputAdapter } from './port.ts';

/** linux/input-event-codes.h */
export const EV_KEY = 1;
const KEY_PRESS = 1; // 0 = release, 2 = autorepeat

/** sizeof(struct input_event): two longs (timeval) + u16 type + u16 code + s32 value. */
export function inputEventSize(arch: string = process.arch): number {
  return arch === 'arm' || arch === 'ia32' ? 16 : 24;
}

export interface KeyEvent {
  type: number;
  code: number;
  value: number;
}

/** Splits a byte stream into input_event records; keeps a partial record for the next chunk. */
export class InputEventDecoder {
  readonly #size: number;
  #rest = Buffer.alloc(0);

  constructor(eventSize: number = inputEventSize()) {
    this.#size = eventSize;
  }

  push(chunk: Buffer): KeyEvent[] {
    const buf = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    const out: KeyEvent[] = [];
    const off = this.#size - 8; // type/code/value follow the timeval
    let i = 0;
    for (; i + this.#size <= buf.length; i += this.#size) {
      out.push({
        type: buf.readUInt16LE(i + off),
        code: buf.readUInt16LE(i + off + 2),
        value: buf.readInt32LE(i + off + 4),
      });
    }
    this.#rest = Buffer.from(buf.subarray(i));
    return out;
  }
}

/**
 * The box's hardware SOS key through the Linux input subsystem (/dev/input/eventN, or a GPIO key
 * via the gpio-keys overlay, which appears the same way). A key-down of `keyCode` is one press;
 * autorepeat and release are ignored. The device is reopened if it disappears.
 */
export function inputEventKey(opts: {
  path: string;
  keyCode: number;
  category?: SosCategory;
  timers: Timers;
  eventSize?: number;
  reopenAfterMs?: number;
}): InputAdapter {
  const name = `input-event:${opts.path}`;
  let stream: ReadStream | undefined;
  let timer: TimerHandle | undefined;
  let closed = false;
  return {
    name,
    start(sink) {
      const open = () => {
        if (closed) return;
        const decoder = new InputEventDecoder(opts.eventSize);
        const s = createReadStream(opts.path);
        stream = s;
        s.on('data', (chunk) => {
          for (const e of decoder.push(chunk as Buffer)) {
            if (e.type === EV_KEY && e.code === opts.keyCode && e.value === KEY_PRESS)
              sink.sosPress(name, opts.category);
          }
        });
        const again = (why: string) => {
          if (closed || stream !== s) return;
          stream = undefined;
          sink.reject(name, `${why}; reopening`);
          timer = opts.timers.setTimeout(open, opts.reopenAfterMs ?? 5_000);
        };
        s.once('error', (e) => again(e.message));
        s.once('end', () => again('device closed'));
      };
      open();
    },
    close() {
      closed = true;
      opts.timers.clearTimeout(timer);
      stream?.destroy();
      stream = undefined;
    },
  };
}
