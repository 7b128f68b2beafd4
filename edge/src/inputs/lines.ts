import { StringDecoder } from 'node:string_decoder';
import { EDGE_DEFAULTS } from '../defaults.ts';

/**
 * Splits a byte stream into lines (LF or CRLF), UTF-8 safe across chunk borders. A line longer
 * than `maxLineBytes` is dropped whole and counted, so a sensor spewing garbage cannot grow memory.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #max: number;
  #buf = '';
  #skipping = false;
  dropped = 0;

  constructor(maxLineBytes: number = EDGE_DEFAULTS.maxLineBytes) {
    this.#max = maxLineBytes;
  }

  push(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.#skipping) {
        this.#skipping = false;
        this.#buf = '';
        continue;
      }
      const line = (this.#buf + piece).replace(/\r$/, '');
      this.#buf = '';
      if (Buffer.byteLength(line) > this.#max) this.dropped++;
      else out.push(line);
    }
    if (!this.#skipping) {
      this.#buf += text.slice(start);
      if (Buffer.byteLength(this.#buf) > this.#max) {
        this.dropped++;
        this.#skipping = true;
        this.#buf = '';
      }
    }
    return out;
  }

  /** The last unterminated line, if any (at end of stream). */
  end(): string[] {
    const rest = (this.#buf + this.#decoder.end()).replace(/\r$/, '');
    this.#buf = '';
    return rest && !this.#skipping ? [rest] : [];
  }
}
