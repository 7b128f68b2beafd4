import { AtModem, BeidouTerminal, type Received, systemTimers } from '@steppelink/edge';
import {
  ackSmsText,
  encodeAckShort,
  encodeSosShort,
  fromSmsText,
  shortMessageKey,
  toHex,
} from '@steppelink/protocols/short-message';
import { afterEach, describe, expect, it } from 'vitest';
import { simBeidou, simModem } from './support/at-modem-sim.ts';
import { until } from './support/hub.ts';

const KEY = shortMessageKey('test-secret-stb-150824-104-0007');
const HUB_SMS = '+8610690000001';
const sos = () => {
  const r = encodeSosShort(
    {
      deviceId: 'stb-150824-104-0007',
      sosId: '01KCB000000000000000000001',
      category: 'fire',
      pos: { lat: 42.1213, lon: 108.4382 },
      pressedAtMs: Date.now() - 30_000,
      sentAtMs: Date.now(),
    },
    KEY,
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('SMS through a GSM modem on a serial port (3GPP TS 27.005, simulated modem on a pty)', () => {
  for (const mode of ['pdu', 'text'] as const) {
    it(`${mode} mode: sends the SOS, gets a delivery report, reads and deletes the hub's answer`, async () => {
      const sim = await simModem();
      const modem = new AtModem({
        port: sim.path,
        to: HUB_SMS,
        mode,
        timers: systemTimers,
        commandTimeoutMs: 5_000,
      });
      closers.push(
        () => sim.close(),
        () => modem.close(),
      );
      const got: Received[] = [];
      modem.onReceive((m) => got.push(m));
      await modem.start();
      expect(modem.health()).toMatchObject({ state: 'ready', mode });
      const bytes = sos();
      expect(await modem.send(bytes)).toMatchObject({ ok: true, ref: '1' });
      expect(sim.sent).toHaveLength(1);
      expect(sim.sent[0]!.to).toBe(HUB_SMS);
      const back = fromSmsText(sim.sent[0]!.text);
      expect(back.ok && Buffer.from(back.value).equals(Buffer.from(bytes))).toBe(true);
      await until(() => (modem.health().deliveryReports === 1 ? true : undefined));
      // the hub's answer: Chinese needs UCS-2, which text mode (GSM charset) cannot carry
      const text = mode === 'pdu' ? '已收到求救，巴特尔正在处理' : 'Help is coming: Bater';
      const ack = ackSmsText(
        text,
        encodeAckShort({ deviceId: 'x', sosId: '01KCB000000000000000000001', state: 'notified', text }, KEY),
      );
      sim.deliver(HUB_SMS, ack);
      await until(() => got[0]);
      expect(got[0]).toEqual({ from: HUB_SMS, text: ack });
      await until(() => (sim.stored() === 0 ? true : undefined)); // read and deleted: the SIM never fills with acks
    });
  }

  it('no network: the send is refused as "no-network", to try again later, and works once the network is back', async () => {
    const sim = await simModem();
    const modem = new AtModem({ port: sim.path, to: HUB_SMS, timers: systemTimers, commandTimeoutMs: 5_000 });
    closers.push(
      () => sim.close(),
      () => modem.close(),
    );
    await modem.start();
    sim.network = false;
    expect(await modem.send(sos())).toMatchObject({ ok: false, reason: 'no-network' });
    sim.network = true;
    expect(await modem.send(sos())).toMatchObject({ ok: true });
  });

  it('a full SIM is cleared of read messages at start, so the answer can arrive', async () => {
    const sim = await simModem({ capacity: 5, prefill: 5 });
    const modem = new AtModem({ port: sim.path, to: HUB_SMS, timers: systemTimers, commandTimeoutMs: 5_000 });
    closers.push(
      () => sim.close(),
      () => modem.close(),
    );
    const got: Received[] = [];
    modem.onReceive((m) => got.push(m));
    await modem.start();
    expect(sim.stored()).toBe(0);
    sim.deliver(HUB_SMS, 'SL1A answer');
    await until(() => got[0]);
  });

  it('a modem that does not answer leaves the path unavailable, not the agent stuck', async () => {
    const modem = new AtModem({
      port: '/dev/null',
      to: HUB_SMS,
      timers: systemTimers,
      commandTimeoutMs: 500,
    });
    await modem.start();
    expect(await modem.send(sos())).toMatchObject({ ok: false, reason: 'no-modem' });
    await modem.close();
  });
});

describe('BeiDou short message through an RDSS terminal (2.1 sentences, simulated terminal on a pty)', () => {
  it('sends $CCTXA in code mode, honours $BDFKI refusals and reads $BDTXR', async () => {
    const sim = await simBeidou();
    const bd = new BeidouTerminal({
      port: sim.path,
      centre: '0242407',
      timers: systemTimers,
      feedbackTimeoutMs: 5_000,
    });
    closers.push(
      () => sim.close(),
      () => bd.close(),
    );
    const got: Received[] = [];
    bd.onReceive((m) => got.push(m));
    await bd.start();
    const bytes = sos();
    expect(await bd.send(bytes)).toEqual({ ok: true });
    expect(sim.sent).toEqual([{ card: '0242407', hex: toHex(bytes) }]);
    expect(bytes.length * 8).toBeLessThanOrEqual(560);
    sim.frequencyBlock = 1;
    expect(await bd.send(bytes)).toMatchObject({ ok: false, reason: 'frequency', retryAfterMs: 45_000 });
    sim.deliver('0242407', 'AB12CD');
    await until(() => got[0]);
    expect(got[0]).toEqual({ from: '0242407', text: 'AB12CD' });
  });
});
