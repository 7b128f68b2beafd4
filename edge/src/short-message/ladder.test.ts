import {
  ackSmsText,
  encodeAckShort,
  parseSosShort,
  shortMessageKey,
  toHex,
} from '@steppelink/protocols/short-message';
import { describe, expect, it } from 'vitest';
import { createIdFactory } from '../ids.ts';
import { silentLogger } from '../logger.ts';
import { SosController } from '../sos.ts';
import { ManualTime } from '../testing/manual-time.ts';
import { SosLadder } from './ladder.ts';
import type { Received, SendOutcome, ShortPath, ShortTransport } from './port.ts';

const DEVICE = 'stb-150824-104-0007';
const KEY = shortMessageKey('test-secret-stb-150824-104-0007');
const flush = () => new Promise((r) => setImmediate(r));

class FakePath implements ShortTransport {
  readonly sent: { at: number; bytes: Uint8Array }[] = [];
  next: SendOutcome[] = [];
  #fns: ((m: Received) => void)[] = [];
  constructor(
    readonly path: ShortPath,
    private readonly time: ManualTime,
  ) {}
  async start() {}
  async send(bytes: Uint8Array): Promise<SendOutcome> {
    this.sent.push({ at: this.time.now(), bytes });
    return this.next.shift() ?? { ok: true };
  }
  onReceive(fn: (m: Received) => void) {
    this.#fns.push(fn);
  }
  receive(m: Received) {
    for (const f of this.#fns) f(m);
  }
  health() {
    return {};
  }
  async close() {}
}

function setup(linkUp: boolean) {
  const time = new ManualTime();
  const ids = createIdFactory(() => time.now());
  const written: string[] = [];
  const sos = new SosController({
    now: () => time.now(),
    timers: time,
    nextId: ids,
    submit: (m) => void written.push(m.id),
  });
  const sms = new FakePath('sms', time);
  const bd = new FakePath('beidou', time);
  const ladder = new SosLadder({
    deviceId: DEVICE,
    key: KEY,
    transports: [sms, bd],
    sos,
    timers: time,
    now: () => time.now(),
    linkUp: () => linkUp,
    category: () => sos.status().category ?? 'unknown',
    log: silentLogger,
  });
  const t0 = time.now();
  const at = (ms: number) => async () => {
    time.advance(t0 + ms - time.now());
    await flush();
  };
  return { time, sos, sms, bd, ladder, at, t0, written };
}

describe('the SOS transport ladder (fake clock)', () => {
  it('link up: MQTT has 20 s, then SMS, then BeiDou a minute later, then again on every path every 5 min', async () => {
    const { sos, sms, bd, at, t0, ladder } = setup(true);
    sos.press('medical');
    await at(19_999)();
    expect(sms.sent.length + bd.sent.length).toBe(0);
    await at(20_000)();
    expect(sms.sent.map((s) => s.at - t0)).toEqual([20_000]);
    expect(bd.sent).toEqual([]);
    expect(sos.status().sentVia).toEqual(['sms']);
    await at(80_000)();
    expect(bd.sent.map((s) => s.at - t0)).toEqual([80_000]);
    await at(380_000)();
    expect(sms.sent.map((s) => s.at - t0)).toEqual([20_000, 320_000]);
    expect(bd.sent.map((s) => s.at - t0)).toEqual([80_000, 380_000]);
    // each copy is the same press (same SOS id, same pressed-at) with its own sent-at
    const copies = sms.sent.map((s) => parseSosShort(s.bytes));
    expect(copies.every((c) => c.ok && c.value.message.sosId === sos.status().raiseIds[0])).toBe(true);
    const sentAt = copies.map((c) => (c.ok ? c.value.message.sentAtMs - t0 : -1));
    expect(sentAt).toEqual([20_000, 320_000]);
    expect(ladder.active).toBe(sos.status().raiseIds[0]);
  });

  it('link down: SMS after 5 s; a refused path tries again when it says (BeiDou frequency) or after 30 s', async () => {
    const { sos, sms, bd, at, t0 } = setup(false);
    sms.next = [{ ok: false, reason: 'no-network', detail: '+CMS ERROR: 331' }];
    bd.next = [{ ok: false, reason: 'frequency', detail: '$BDFKI,TXA,N,Y,0,0045', retryAfterMs: 45_000 }];
    sos.press();
    await at(5_000)();
    expect(sms.sent.map((s) => s.at - t0)).toEqual([5_000]);
    await at(35_000)();
    expect(sms.sent.map((s) => s.at - t0)).toEqual([5_000, 35_000]);
    await at(65_000)();
    expect(bd.sent.map((s) => s.at - t0)).toEqual([65_000]);
    await at(110_000)();
    expect(bd.sent.map((s) => s.at - t0)).toEqual([65_000, 110_000]);
  });

  it('a new SOS after a closed one goes up the ladder again, with its category', async () => {
    const { sos, sms, at, written } = setup(false);
    sos.press();
    await at(5_000)();
    sos.onAcked(written[0]!);
    sos.onSosAck({
      v: 1,
      id: 'ack-1',
      ts: 1,
      incidentId: 'inc-1',
      sosId: written[0]!,
      state: 'resolved',
      texts: { zh: '已处理', mn: 'ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠪᠡ', en: 'Resolved' },
    });
    expect(sos.status().state).toBe('closed');
    sos.press('fire');
    expect(sos.status().via).toBeUndefined();
    await at(10_000)();
    expect(sms.sent).toHaveLength(2);
    const second = parseSosShort(sms.sent[1]!.bytes);
    expect(second.ok && second.value.message).toMatchObject({ sosId: written[1], category: 'fire' });
  });

  it('sends nothing else when MQTT delivers in time', async () => {
    const { sos, sms, bd, at, written } = setup(true);
    sos.press();
    await at(3_000)();
    sos.onAcked(written[0]!);
    await at(600_000)();
    expect(sms.sent.length + bd.sent.length).toBe(0);
    expect(sos.status()).toMatchObject({ state: 'delivered', via: 'mqtt' });
  });

  it("stops on the hub's genuine SMS answer, shows it came by SMS, and ignores a forged one", async () => {
    const { sos, sms, bd, at } = setup(false);
    sos.press();
    await at(5_000)();
    const sosId = sos.status().raiseIds[0]!;
    const text = '巴特尔已接警';
    const forged = encodeAckShort(
      { deviceId: DEVICE, sosId, state: 'acknowledged', text },
      new Uint8Array(32),
    );
    sms.receive({ from: '+8610690000', text: ackSmsText(text, forged) });
    expect(sos.status().state).toBe('sending');
    const genuine = encodeAckShort({ deviceId: DEVICE, sosId, state: 'acknowledged', text }, KEY);
    sms.receive({ from: '+8610690000', text: ackSmsText(text, genuine) });
    expect(sos.status()).toMatchObject({ state: 'acknowledged', via: 'sms', message: { zh: text } });
    await at(900_000)();
    expect(sms.sent.length).toBe(1);
    expect(bd.sent.length).toBe(0);
  });

  it('takes the answer over BeiDou as well (the tag as hex)', async () => {
    const { sos, bd, at } = setup(false);
    sos.press();
    await at(65_000)();
    const sosId = sos.status().raiseIds[0]!;
    bd.receive({
      from: '0242407',
      text: toHex(encodeAckShort({ deviceId: DEVICE, sosId, state: 'notified' }, KEY)),
    });
    expect(sos.status()).toMatchObject({ state: 'delivered', via: 'beidou' });
  });
});
