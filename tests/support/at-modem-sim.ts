import { decodeSubmit, deliverPdu, rdssSentence } from '@steppelink/edge';
import { openSerialPeer, type SerialPeer } from './serial-peer.ts';

/**
 * A GSM/4G modem's AT port as 3GPP TS 27.005 describes it, on a real pty: text and PDU mode,
 * AT+CMGS with its `> ` prompt and Ctrl-Z, +CMTI for a stored SMS, AT+CMGR/AT+CMGD, status
 * reports (+CDS) when asked for, AT+CPMS storage, AT+CREG registration. Switches the test
 * flips: `network` (off: +CMS ERROR 331 and not registered) and the SIM's capacity (full: an
 * incoming SMS waits in the network until the SIM has room).
 */
export interface SimModem {
  path: string;
  network: boolean;
  /** What the box sent: destination and text. */
  readonly sent: { to: string; text: string }[];
  onSend(fn: (m: { to: string; text: string }) => void): void;
  /** An SMS reaches the modem's SIM (stored and announced with +CMTI, or held while the SIM is full). */
  deliver(from: string, text: string): void;
  /** Messages on the SIM now. */
  stored(): number;
  capacity: number;
  close(): Promise<void>;
}

export async function simModem(o: { capacity?: number; prefill?: number } = {}): Promise<SimModem> {
  const peer: SerialPeer = await openSerialPeer();
  let echo = true;
  let mode = 0;
  let srr = false;
  let mr = 0;
  let buf = '';
  let body: { to: string | null } | undefined;
  const store = new Map<number, { from: string; text: string; read: boolean }>();
  const held: { from: string; text: string }[] = [];
  const sendFns: ((m: { to: string; text: string }) => void)[] = [];
  const out = (s: string) => peer.write(s);
  const reply = (...lines: string[]) => out(lines.map((l) => `\r\n${l}\r\n`).join(''));
  const m: SimModem = {
    path: peer.path,
    network: true,
    sent: [],
    capacity: o.capacity ?? 10,
    onSend: (fn) => sendFns.push(fn),
    deliver(from, text) {
      held.push({ from, text });
      drain();
    },
    stored: () => store.size,
    close: () => peer.close(),
  };
  for (let i = 0; i < (o.prefill ?? 0); i++)
    store.set(i + 1, { from: '10086', text: '话费余额提醒', read: true });
  function drain() {
    while (held.length > 0 && store.size < m.capacity) {
      const sms = held.shift()!;
      let i = 1;
      while (store.has(i)) i++;
      store.set(i, { ...sms, read: false });
      reply(`+CMTI: "SM",${i}`);
    }
  }
  function command(line: string) {
    if (echo) out(`${line}\r`);
    const cmd = line.trim().toUpperCase();
    if (cmd === 'AT' || cmd === 'AT+CMEE=1' || cmd.startsWith('AT+CNMI=')) return reply('OK');
    if (cmd === 'ATE0') {
      echo = false;
      return reply('OK');
    }
    if (cmd.startsWith('AT+CMGF=')) {
      mode = Number(cmd.slice(8));
      return reply('OK');
    }
    if (cmd.startsWith('AT+CSMP=')) {
      srr = (Number(cmd.slice(8).split(',')[0]) & 0x20) !== 0;
      return reply('OK');
    }
    if (cmd === 'AT+CPMS?') {
      const u = `${store.size},${m.capacity}`;
      return reply(`+CPMS: "SM",${u},"SM",${u},"SM",${u}`, 'OK');
    }
    if (cmd === 'AT+CREG?') return reply(`+CREG: 0,${m.network ? 1 : 0}`, 'OK');
    if (cmd.startsWith('AT+CMGS=')) {
      body = { to: mode === 1 ? line.trim().slice(8).replace(/"/g, '') : null };
      return out('\r\n> ');
    }
    if (cmd.startsWith('AT+CMGR=')) {
      const i = Number(cmd.slice(8));
      const sms = store.get(i);
      if (!sms) return reply('+CMS ERROR: 321');
      const was = sms.read ? 'REC READ' : 'REC UNREAD';
      sms.read = true;
      if (mode === 1)
        return reply(`+CMGR: "${was}","${sms.from}",,"26/12/07,21:00:00+32"\r\n${sms.text}`, 'OK');
      const pdu = deliverPdu(sms.from, sms.text);
      return reply(`+CMGR: ${was === 'REC READ' ? 1 : 0},,${pdu.length / 2 - 1}\r\n${pdu}`, 'OK');
    }
    if (cmd.startsWith('AT+CMGD=')) {
      const [i, flag] = cmd.slice(8).split(',').map(Number);
      if (flag === 4) store.clear();
      else if (flag === 1 || flag === 2 || flag === 3) {
        for (const [k, v] of store) if (v.read) store.delete(k);
      } else store.delete(i!);
      reply('OK');
      return drain();
    }
    return reply('ERROR');
  }
  function submitted(raw: string) {
    const text = raw;
    let msg: { to: string; text: string } | undefined;
    if (mode === 1) msg = { to: body!.to ?? '', text };
    else {
      const d = decodeSubmit(text.trim());
      if (d) msg = d;
      srr = d !== undefined && (Buffer.from(text.trim(), 'hex')[1]! & 0x20) !== 0;
    }
    body = undefined;
    if (!msg) return reply('+CMS ERROR: 304');
    if (!m.network) return reply('+CMS ERROR: 331');
    mr = (mr + 1) % 256;
    m.sent.push(msg);
    reply(`+CMGS: ${mr}`, 'OK');
    for (const f of sendFns) f(msg);
    if (srr)
      setTimeout(
        () => reply(`+CDS: 6,${mr},"${msg.to}",145,"26/12/07,21:00:01+32","26/12/07,21:00:02+32",0`),
        20,
      );
  }
  peer.onData((chunk) => {
    buf += chunk;
    for (;;) {
      if (body) {
        const z = buf.indexOf('\x1a');
        if (z < 0) return;
        const raw = buf.slice(0, z);
        buf = buf.slice(z + 1);
        submitted(raw);
        continue;
      }
      const i = buf.indexOf('\r');
      if (i < 0) return;
      const line = buf.slice(0, i).replace(/^\n+/, '');
      buf = buf.slice(i + 1);
      if (line.trim()) command(line);
    }
  });
  return m;
}

/** A BeiDou RDSS terminal speaking the 2.1 sentences ($CCTXA in, $BDFKI and $BDTXR out) on a pty. */
export interface SimBeidou {
  path: string;
  readonly sent: { card: string; hex: string }[];
  /** Refuse the next sends with the card's frequency not yet passed ($BDFKI …,N,…,wait). */
  frequencyBlock: number;
  onSend(fn: (m: { card: string; hex: string }) => void): void;
  deliver(fromCard: string, hex: string): void;
  close(): Promise<void>;
}

export async function simBeidou(): Promise<SimBeidou> {
  const peer = await openSerialPeer();
  let buf = '';
  const fns: ((m: { card: string; hex: string }) => void)[] = [];
  const b: SimBeidou = {
    path: peer.path,
    sent: [],
    frequencyBlock: 0,
    onSend: (fn) => fns.push(fn),
    deliver: (from, hex) => peer.write(rdssSentence(`BDTXR,1,${from},1,,${hex}`)),
    close: () => peer.close(),
  };
  peer.onData((chunk) => {
    buf += chunk;
    for (;;) {
      const i = buf.indexOf('\n');
      if (i < 0) return;
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      const m = /^\$(CCTXA,([^,]*),\d,(\d),([0-9A-F]*))\*([0-9A-F]{2})$/.exec(line);
      if (!m) continue;
      if (b.frequencyBlock > 0) {
        b.frequencyBlock--;
        peer.write(rdssSentence('BDFKI,TXA,N,Y,0,0045'));
        continue;
      }
      const msg = { card: m[2]!, hex: m[4]! };
      b.sent.push(msg);
      peer.write(rdssSentence('BDFKI,TXA,Y,Y,0,0000'));
      for (const f of fns) f(msg);
    }
  });
  return b;
}
