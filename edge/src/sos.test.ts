import { fixtures, type SosAck, type SosInput, sosSchema } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { createMemoryOutbox } from './outbox/memory.ts';
import { SosController } from './sos.ts';
import { ManualTime } from './testing/manual-time.ts';

const ack = fixtures['sos-ack'][0] as SosAck;

function setup(opts: { fail?: boolean; saved?: () => string | undefined } = {}) {
  const time = new ManualTime();
  const sent: (SosInput & { id: string })[] = [];
  const meta = createMemoryOutbox();
  let n = 0;
  const sos = new SosController({
    now: () => time.now(),
    timers: time,
    nextId: () => `sos-${++n}`,
    submit: (m) => {
      if (opts.fail) return new Error('disk full');
      expect(sosSchema.safeParse(m).success).toBe(true);
      sent.push(m);
      return undefined;
    },
    position: () => ({ lat: 42.1213, lon: 108.4382, acc: 12 }),
    power: () => ({ source: 'battery', battery: 64 }),
    load: opts.saved ?? (() => meta.getMeta('sos')),
    save: (j) => meta.setMeta('sos', j),
    cancelConfirmMs: 30_000,
    repressMinMs: 60_000,
  });
  return { time, sent, sos, meta };
}

describe('SosController', () => {
  it('goes sending → delivered (PUBACK) → received by the worker named in the sos-ack', () => {
    const { sent, sos } = setup();
    const r = sos.press('blizzard');
    expect(r.ok && r.status.state).toBe('sending');
    expect(r.status.message.zh).toContain('正在发送');
    expect(sent[0]).toMatchObject({
      action: 'raise',
      category: 'blizzard',
      pos: { lat: 42.1213 },
      power: { battery: 64 },
    });
    sos.onAcked('sos-1');
    expect(sos.status().state).toBe('delivered');
    sos.onSosAck({ ...ack, sosId: 'sos-1' });
    const st = sos.status();
    expect(st.state).toBe('acknowledged');
    expect(st.ack?.by?.name).toBe('巴特尔');
    expect(st.message.zh).toContain('巴特尔');
  });

  it('shows "received by <name>" when the hub sends no text of its own', () => {
    const { sos } = setup();
    sos.press();
    const { texts: _t, ...rest } = ack;
    sos.onSosAck({ ...rest, sosId: 'sos-1', texts: undefined as never });
    expect(sos.status().message.en).toBe('Received by 巴特尔');
  });

  it('needs a second confirmation to cancel, and the request lapses', () => {
    const { time, sent, sos } = setup();
    sos.press();
    expect(sos.confirmCancel()).toMatchObject({ ok: false, code: 'not-asked' });
    expect(sos.cancel().status.state).toBe('confirm-cancel');
    time.advance(30_000);
    expect(sos.state).toBe('sending');
    sos.cancel();
    const r = sos.confirmCancel();
    expect(r.ok && r.status.state).toBe('cancelling');
    expect(sent.at(-1)).toMatchObject({ action: 'cancel', confirmed: true, raiseId: 'sos-1' });
    sos.onAcked(sent.at(-1)?.id ?? '');
    expect(sos.status()).toMatchObject({ state: 'closed', closedReason: 'cancelled' });
    expect(sos.status().message.zh).toBe('求救已取消');
  });

  it('refuses to cancel when nothing is open', () => {
    const { sos } = setup();
    expect(sos.cancel()).toMatchObject({ ok: false, code: 'nothing-to-cancel' });
  });

  it('counts repeated presses and folds them into a follow-up raise at most once a minute', () => {
    const { time, sent, sos } = setup();
    sos.press();
    sos.onAcked('sos-1');
    sos.press();
    expect(sent).toHaveLength(1);
    time.advance(60_000);
    sos.press();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ action: 'raise', presses: 2 });
    expect(sos.status().presses).toBe(3);
    sos.onSosAck({ ...ack, sosId: 'sos-2' });
    expect(sos.state).toBe('acknowledged');
  });

  it('closes on a terminal sos-ack and starts afresh on the next press', () => {
    const { sent, sos } = setup();
    sos.press();
    sos.onSosAck({ ...ack, sosId: 'sos-1', state: 'resolved' });
    expect(sos.status()).toMatchObject({ state: 'closed', closedReason: 'resolved' });
    sos.press();
    expect(sent).toHaveLength(2);
    expect(sos.status()).toMatchObject({ state: 'sending', presses: 1 });
    expect(sos.status().ack).toBeUndefined();
  });

  it('ignores an sos-ack for another SOS while one is open', () => {
    const { sos } = setup();
    sos.press();
    sos.onSosAck({ ...ack, sosId: 'someone-else', incidentId: 'inc-other' });
    expect(sos.state).toBe('sending');
  });

  it('survives a restart through the saved status, and ignores a damaged one', () => {
    const a = setup();
    a.sos.press();
    a.sos.onAcked('sos-1');
    const saved = a.meta.getMeta('sos');
    const b = setup({ saved: () => saved });
    expect(b.sos.status()).toMatchObject({ state: 'delivered', raiseIds: ['sos-1'] });
    const c = setup({ saved: () => '{"state":"bogus"' });
    expect(c.sos.state).toBe('idle');
  });

  it('reports a failed write instead of pretending it is sending', () => {
    const { sos } = setup({ fail: true });
    expect(sos.press()).toMatchObject({ ok: false, code: 'write-failed', message: 'disk full' });
    expect(sos.state).toBe('idle');
  });
});
