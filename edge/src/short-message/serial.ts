import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { isatty, ReadStream as TtyReadStream } from 'node:tty';

/**
 * A serial port (or a pty standing in for one) for request/answer protocols: lines in (CR/LF
 * split), raw writes out. The modem's `> ` prompt arrives without a line end, so it is reported
 * on its own. Opened non-blocking so closing never waits for a silent device.
 */
export class SerialLine {
  #fd: number | undefined;
  #stream: TtyReadStream | undefined;
  #buf = '';
  constructor(
    private readonly path: string,
    private readonly on: { line(l: string): void; prompt?(): void; error(message: string): void },
  ) {}

  open(): void {
    const fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    if (!isatty(fd)) {
      closeSync(fd);
      throw new Error(`${this.path} is not a serial port or terminal`);
    }
    this.#fd = fd;
    const s = new TtyReadStream(fd);
    s.setRawMode(true);
    s.setEncoding('latin1');
    s.on('data', (chunk: string) => this.#data(chunk));
    s.on('error', (e) => this.on.error(e.message));
    this.#stream = s;
  }

  write(data: string | Uint8Array): void {
    if (this.#fd === undefined) throw new Error(`${this.path} is not open`);
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    let off = 0;
    for (let tries = 0; off < buf.length && tries < 1000; tries++) {
      try {
        off += writeSync(this.#fd, buf, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  }

  close(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#fd = undefined;
  }

  #data(chunk: string): void {
    this.#buf += chunk;
    for (;;) {
      const i = this.#buf.search(/[\r\n]/);
      if (i < 0) break;
      const line = this.#buf.slice(0, i).trim();
      this.#buf = this.#buf.slice(i + 1);
      if (line) this.on.line(line);
    }
    if (this.#buf.trimStart() === '>' || this.#buf.trimStart() === '> ') {
      this.#buf = '';
      this.on.prompt?.();
    }
    if (this.#buf.length > 4096) this.#buf = this.#buf.slice(-4096);
  }
}
