import { toHex } from '@steppelink/protocols/short-message';
import type { TimerHandle, Timers } from '../clock.ts';
import type { Received, SendOutcome, ShortTransport } from './port.ts';
import { SerialLine } from './serial.ts';

/** The NMEA-style checksum: XOR of every character between `$` and `*`, two hex digits. */
export const rdssChecksum = (body: string): string => {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
};
export const rdssSentence = (body: string): string => `$${body}*${rdssChecksum(body)}\r\n`;

/** Splits a checked sentence into its fields; undefined when the checksum is wrong. */
export function parseRdss(line: string): string[] | undefined {
  const m = /^\$([^*]+)\*([0-9A-Fa-f]{2})$/.exec(line.trim());
  if (!m || rdssChecksum(m[1]!) !== m[2]!.toUpperCase()) return undefined;
  return m[1]!.split(',');
}

export interface BeidouOptions {
  /** The terminal's serial port. */
  port: string;
  /** The command centre's card address (the receiving user machine of the hub side). */
  centre: string;
  timers: Timers;
  /** How long to wait for the terminal's $BDFKI feedback on a $CCTXA. */
  feedbackTimeoutMs?: number;
}

/**
 * A BeiDou-2/3 RDSS short-message terminal on a serial port, speaking the civil "RDSS 2.1"
 * sentence protocol most terminals and modules implement (NMEA-0183-style ASCII sentences; the
 * older "4.0" protocol is binary, $TXSQ/$TXXX):
 *
 * - `$CCTXA,<card>,<1 normal|0 express>,<1 code (hex)|0 hanzi|2 mixed>,<data>*hh` — send;
 * - `$BDFKI,TXA,<Y|N>,<frequency setting Y|N>,<transmit suppression 0..3>,<wait mmss>*hh` — the
 *   terminal's feedback: N with a wait when the card's sending frequency (typically 60 s for a
 *   civil card) has not passed, suppression 2/3 for low battery or radio silence;
 * - `$BDTXR,<1..5 kind>,<sender card>,<mode>,<time>,<data>*hh` — a received message.
 *
 * The SOS short message goes in code mode as hex (≤ 70 bytes: within a BDS-3 global message's
 * 560 bits and a BDS-2 civil card's 628). Sources: the sentence layouts as published in the 2.1
 * protocol's open implementations and in the Journal of Northwestern Polytechnical University
 * (2020, table 2, $BDTXR); see README.
 */
export class BeidouTerminal implements ShortTransport {
  readonly path = 'beidou' as const;
  readonly #o: Required<Omit<BeidouOptions, 'timers'>> & { timers: Timers };
  readonly #serial: SerialLine;
  readonly #receivers: ((m: Received) => void)[] = [];
  #waiting: { resolve(o: SendOutcome): void; timer: TimerHandle } | undefined;
  #state: 'closed' | 'ready' | 'failed' = 'closed';
  #lastError = '';
  #sent = 0;
  #refused = 0;
  #received = 0;
  #badChecksum = 0;

  constructor(o: BeidouOptions) {
    this.#o = { feedbackTimeoutMs: 10_000, ...o };
    this.#serial = new SerialLine(o.port, {
      line: (l) => this.#line(l),
      error: (m) => {
        this.#lastError = m;
      },
    });
  }

  onReceive(fn: (m: Received) => void): void {
    this.#receivers.push(fn);
  }

  async start(): Promise<void> {
    try {
      this.#serial.open();
      this.#state = 'ready';
    } catch (e) {
      this.#state = 'failed';
      this.#lastError = (e as Error).message;
    }
  }

  send(bytes: Uint8Array): Promise<SendOutcome> {
    if (this.#state !== 'ready')
      return Promise.resolve({ ok: false, reason: 'no-terminal', detail: this.#lastError || 'not open' });
    if (this.#waiting)
      return Promise.resolve({ ok: false, reason: 'busy', detail: 'a message is being sent' });
    return new Promise((resolve) => {
      const timer = this.#o.timers.setTimeout(() => {
        this.#waiting = undefined;
        resolve({ ok: false, reason: 'timeout', detail: 'no $BDFKI feedback from the terminal' });
      }, this.#o.feedbackTimeoutMs);
      this.#waiting = { resolve, timer };
      try {
        this.#serial.write(rdssSentence(`CCTXA,${this.#o.centre},1,1,${toHex(bytes)}`));
      } catch (e) {
        this.#o.timers.clearTimeout(timer);
        this.#waiting = undefined;
        resolve({ ok: false, reason: 'no-terminal', detail: (e as Error).message });
      }
    });
  }

  health(): Record<string, unknown> {
    return {
      path: 'beidou',
      state: this.#state,
      sent: this.#sent,
      refused: this.#refused,
      received: this.#received,
      badChecksum: this.#badChecksum,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    if (this.#waiting) {
      this.#o.timers.clearTimeout(this.#waiting.timer);
      this.#waiting.resolve({ ok: false, reason: 'closed', detail: 'closed' });
      this.#waiting = undefined;
    }
    this.#serial.close();
  }

  #line(line: string): void {
    if (!line.startsWith('$')) return;
    const f = parseRdss(line);
    if (!f) {
      this.#badChecksum++;
      return;
    }
    const kind = f[0]?.slice(2);
    if (kind === 'FKI' && f[1] === 'TXA' && this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      this.#o.timers.clearTimeout(w.timer);
      if (f[2] === 'Y') {
        this.#sent++;
        w.resolve({ ok: true });
        return;
      }
      this.#refused++;
      const wait = f[5] ?? '0000';
      const waitMs = (Number(wait.slice(0, 2)) * 60 + Number(wait.slice(2, 4))) * 1000 || 60_000;
      const suppressed = f[4] && f[4] !== '0';
      w.resolve({
        ok: false,
        reason: suppressed ? 'suppressed' : 'frequency',
        detail: line,
        retryAfterMs: waitMs,
      });
      return;
    }
    if (kind === 'TXR') {
      this.#received++;
      const text = f[5] ?? '';
      for (const fn of this.#receivers) fn({ from: f[2] ?? '', text });
    }
  }
}
