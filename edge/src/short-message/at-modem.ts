import { toSmsText } from '@steppelink/protocols/short-message';
import type { TimerHandle, Timers } from '../clock.ts';
import { decodeDeliver, submitPdu } from './pdu.ts';
import type { Received, SendOutcome, ShortTransport } from './port.ts';
import { SerialLine } from './serial.ts';

export interface AtModemOptions {
  /** The modem's AT port (e.g. /dev/ttyUSB2 of a Quectel EC25, or /dev/serial/by-id/…). */
  port: string;
  /** The hub's SMS number (its gateway or its own modem's SIM). */
  to: string;
  /** 'pdu' (default: any alphabet, what 3GPP TS 27.005 requires of every modem) or 'text'. */
  mode?: 'pdu' | 'text';
  timers: Timers;
  /** How long one AT command may take (AT+CMGS waits for the network: up to a minute). */
  commandTimeoutMs?: number;
}

/** +CMS ERROR codes (3GPP TS 27.005 §3.2.5) that mean "try later", not "broken". */
const CMS: Record<number, string> = {
  322: 'sim-full', // memory full
  330: 'no-network', // SMSC address unknown
  331: 'no-network', // no network service
  332: 'no-network', // network timeout
  500: 'refused',
};

type Pending = {
  cmd: string;
  lines: string[];
  resolve(r: { ok: boolean; lines: string[]; error?: string }): void;
  timer: TimerHandle;
  /** sent after the `> ` prompt (AT+CMGS), then Ctrl-Z */
  body?: string;
};

/**
 * An SMS path through a GSM/4G modem's AT port, per 3GPP TS 27.005: PDU mode (AT+CMGF=0, the
 * default) or text mode (AT+CMGF=1), new messages indicated (AT+CNMI=2,1,0,1,0: +CMTI for a
 * stored SMS, +CDS for a delivery report), status reports requested on every SOS. A received SMS
 * is read (AT+CMGR) and deleted (AT+CMGD) so the SIM never fills with acks; a SIM found full
 * (AT+CPMS) is cleared of read messages first, then entirely. No network (+CMS ERROR 330-332, or
 * AT+CREG not registered) is a "try later", never a crash.
 */
export class AtModem implements ShortTransport {
  readonly path = 'sms' as const;
  readonly #o: Required<Omit<AtModemOptions, 'timers'>> & { timers: Timers };
  readonly #serial: SerialLine;
  readonly #receivers: ((m: Received) => void)[] = [];
  #queue: Pending[] = [];
  #current: Pending | undefined;
  #state: 'closed' | 'starting' | 'ready' | 'failed' = 'closed';
  #lastError = '';
  #sent = 0;
  #failed = 0;
  #received = 0;
  #reports = 0;
  /** an incoming SMS waiting to be read (read when no command runs) */
  #unread: number[] = [];

  constructor(o: AtModemOptions) {
    this.#o = { mode: 'pdu', commandTimeoutMs: 60_000, ...o };
    this.#serial = new SerialLine(o.port, {
      line: (l) => this.#line(l),
      prompt: () => this.#prompt(),
      error: (m) => {
        this.#lastError = m;
      },
    });
  }

  onReceive(fn: (m: Received) => void): void {
    this.#receivers.push(fn);
  }

  async start(): Promise<void> {
    this.#state = 'starting';
    try {
      this.#serial.open();
    } catch (e) {
      this.#state = 'failed';
      this.#lastError = (e as Error).message;
      return;
    }
    const steps = [
      'AT',
      'ATE0',
      'AT+CMEE=1',
      `AT+CMGF=${this.#o.mode === 'pdu' ? 0 : 1}`,
      'AT+CNMI=2,1,0,1,0',
      ...(this.#o.mode === 'text' ? ['AT+CSMP=49,167,0,0'] : []),
    ];
    for (const s of steps) {
      const r = await this.#command(s);
      if (!r.ok && s === 'AT') {
        this.#state = 'failed';
        this.#lastError = `the modem does not answer AT (${r.error})`;
        return;
      }
    }
    await this.#clearIfFull();
    this.#state = 'ready';
    await this.#readUnread();
  }

  async send(bytes: Uint8Array): Promise<SendOutcome> {
    if (this.#state !== 'ready') {
      return { ok: false, reason: 'no-modem', detail: this.#lastError || `modem ${this.#state}` };
    }
    const text = toSmsText(bytes);
    const r =
      this.#o.mode === 'pdu'
        ? await (() => {
            const p = submitPdu(this.#o.to, text);
            return this.#command(`AT+CMGS=${p.length}`, p.pdu);
          })()
        : await this.#command(`AT+CMGS="${this.#o.to}"`, text);
    const ref = r.lines
      .find((l) => l.startsWith('+CMGS:'))
      ?.slice(6)
      .trim();
    if (r.ok) {
      this.#sent++;
      return { ok: true, ...(ref ? { ref } : {}) };
    }
    this.#failed++;
    const code = Number(/\+CMS ERROR:\s*(\d+)/.exec(r.error ?? '')?.[1]);
    let reason = CMS[code] ?? 'refused';
    if (reason === 'sim-full') await this.#clearIfFull();
    if (reason === 'refused' && !(await this.#registered())) reason = 'no-network';
    this.#lastError = r.error ?? 'failed';
    return { ok: false, reason, detail: r.error ?? 'the modem refused the SMS', retryAfterMs: 30_000 };
  }

  health(): Record<string, unknown> {
    return {
      path: 'sms',
      state: this.#state,
      mode: this.#o.mode,
      sent: this.#sent,
      failed: this.#failed,
      received: this.#received,
      deliveryReports: this.#reports,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    for (const p of [this.#current, ...this.#queue]) {
      if (!p) continue;
      this.#o.timers.clearTimeout(p.timer);
      p.resolve({ ok: false, lines: [], error: 'closed' });
    }
    this.#current = undefined;
    this.#queue = [];
    this.#serial.close();
  }

  async #registered(): Promise<boolean> {
    const r = await this.#command('AT+CREG?');
    const stat = Number(/\+CREG:\s*\d+,(\d+)/.exec(r.lines.join('\n'))?.[1]);
    return stat === 1 || stat === 5; // home or roaming
  }

  async #clearIfFull(): Promise<void> {
    const used = async () => {
      const r = await this.#command('AT+CPMS?');
      const m = /\+CPMS:\s*"[^"]*",(\d+),(\d+)/.exec(r.lines.join('\n'));
      return m ? { used: Number(m[1]), total: Number(m[2]) } : undefined;
    };
    let s = await used();
    if (!s || s.used < s.total) return;
    await this.#command('AT+CMGD=1,3'); // read, sent and unsent ones first
    s = await used();
    if (s && s.used >= s.total) await this.#command('AT+CMGD=1,4'); // the SIM is the box's own
  }

  async #readUnread(): Promise<void> {
    while (this.#unread.length > 0 && this.#state === 'ready') {
      const index = this.#unread.shift()!;
      const r = await this.#command(`AT+CMGR=${index}`);
      await this.#command(`AT+CMGD=${index}`);
      if (!r.ok) continue;
      const head = r.lines.findIndex((l) => l.startsWith('+CMGR:'));
      if (head < 0) continue;
      let msg: Received | undefined;
      if (this.#o.mode === 'pdu') {
        const d = decodeDeliver(r.lines[head + 1] ?? '');
        if (d) msg = { from: d.from, text: d.text };
      } else {
        const from = /\+CMGR:\s*"[^"]*","([^"]*)"/.exec(r.lines[head]!)?.[1] ?? '';
        msg = { from, text: r.lines.slice(head + 1).join('\n') };
      }
      if (!msg) continue;
      this.#received++;
      for (const fn of this.#receivers) fn(msg);
    }
  }

  #command(cmd: string, body?: string): Promise<{ ok: boolean; lines: string[]; error?: string }> {
    return new Promise((resolve) => {
      const p: Pending = {
        cmd,
        lines: [],
        resolve,
        timer: undefined as unknown as TimerHandle,
        ...(body !== undefined ? { body } : {}),
      };
      this.#queue.push(p);
      this.#next();
    });
  }

  #next(): void {
    if (this.#current || this.#queue.length === 0) return;
    const p = this.#queue.shift()!;
    this.#current = p;
    p.timer = this.#o.timers.setTimeout(
      () => this.#finish({ ok: false, error: `timeout: ${p.cmd}` }),
      this.#o.commandTimeoutMs,
    );
    try {
      this.#serial.write(`${p.cmd}\r`);
    } catch (e) {
      this.#finish({ ok: false, error: (e as Error).message });
    }
  }

  #finish(r: { ok: boolean; error?: string }): void {
    const p = this.#current;
    if (!p) return;
    this.#o.timers.clearTimeout(p.timer);
    this.#current = undefined;
    p.resolve({ ok: r.ok, lines: p.lines, ...(r.error ? { error: r.error } : {}) });
    this.#next();
    if (!this.#current && this.#unread.length > 0 && this.#state === 'ready') void this.#readUnread();
  }

  #prompt(): void {
    const p = this.#current;
    if (p?.body === undefined) return;
    this.#serial.write(`${p.body}\x1a`);
  }

  #line(l: string): void {
    // unsolicited result codes first: they may arrive at any time
    const cmti = /^\+CMTI:\s*"[^"]*",(\d+)/.exec(l);
    if (cmti) {
      this.#unread.push(Number(cmti[1]));
      if (!this.#current && this.#state === 'ready') void this.#readUnread();
      return;
    }
    if (l.startsWith('+CDS:')) {
      this.#reports++;
      return;
    }
    const p = this.#current;
    if (!p) return;
    if (l === 'OK') {
      this.#finish({ ok: true });
      return;
    }
    if (l === 'ERROR' || l.startsWith('+CMS ERROR') || l.startsWith('+CME ERROR')) {
      this.#finish({ ok: false, error: l });
      return;
    }
    if (l !== p.cmd) p.lines.push(l); // an echo (before ATE0) is not an answer
  }
}
