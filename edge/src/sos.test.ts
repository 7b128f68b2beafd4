import { fixtures, type SosAck, type SosInput, sosSchema } from '@steppelink/protocols';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryOutbox } from './outbox/memory.ts';
import { SosController } from './sos.ts';
import { ManualTime } from './testing/manual-time.ts';

const ack = fixtures['sos-ack'][0] as SosAck;

function setup(
  opts: {
    fail?: boolean;
    saved?: () => string | undefined;
    /** The PUBACK arrives while submit() is still running (a fast link). */
    ackDuringSubmit?: boolean;
  } = {},
) {
  const time = new ManualTime();
  const sent: (SosInput & { id: string })[] = [];
  const meta = createMemoryOutbox();
  /** What the disk does: `fail` makes submit() return an error, `throwOnSave` makes the status save throw (SQLITE_FULL). */
  const disk = { fail: opts.fail ?? false, throwOnSave: false };
  let n = 0;
  const sos: SosController = new SosController({
    now: () => time.now(),
    timers: time,
    nextId: () => `sos-${++n}`,
    submit: (m) => {
      if (disk.fail) return new Error('disk full');
      expect(sosSchema.safeParse(m).success).toBe(true);
      sent.push(m);
      if (opts.ackDuringSubmit) sos.onAcked(m.id);
      return undefined;
    },
    position: () => ({ lat: 42.1213, lon: 108.4382, acc: 12 }),
    power: () => ({ source: 'battery', battery: 64 }),
    load: opts.saved ?? (() => meta.getMeta('sos')),
    save: (j) => {
      if (disk.throwOnSave)
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      meta.setMeta('sos', j);
    },
    cancelConfirmMs: 30_000,
    repressMinMs: 60_000,
    retryMs: 2_000,
  });
  return { time, sent, sos, meta, disk };
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
    sos.press();
    expect(sent).toHaveLength(1);
    time.advance(59_999);
    expect(sent).toHaveLength(1);
    // The window's end sends the presses made inside it, without waiting for another press (#21).
    time.advance(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ action: 'raise', presses: 2 });
    expect(sos.status().presses).toBe(3);
    sos.press();
    time.advance(60_000);
    expect(sent).toHaveLength(3);
    expect(sent[2]).not.toHaveProperty('presses'); // one press
    sos.onSosAck({ ...ack, sosId: 'sos-2' });
    expect(sos.state).toBe('acknowledged');
  });

  it('sends presses made before the first PUBACK once it arrives and the window has passed', () => {
    const { time, sent, sos } = setup();
    sos.press();
    sos.press();
    time.advance(90_000);
    expect(sent).toHaveLength(1);
    sos.onAcked('sos-1');
    expect(sent).toHaveLength(2);
    expect(sos.state).toBe('delivered');
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

  it('shows a drill the hub started as a drill, and a real press during it is a new SOS, never the drill’s', () => {
    const { sos, sent } = setup();
    sos.onSosAck({
      ...ack,
      sosId: 'drill-m1x2-ab12cd',
      incidentId: 'inc-drill',
      state: 'notified',
      drill: true,
    });
    expect(sos.status()).toMatchObject({ state: 'delivered', drill: true, incidentId: 'inc-drill' });
    sos.press('medical');
    const raise = sent.at(-1) as { id: string; presses?: number };
    expect(raise.id).not.toBe('drill-m1x2-ab12cd');
    expect(sos.status()).toMatchObject({ state: 'sending', raiseIds: [raise.id] });
    expect(sos.status().drill).toBeUndefined();
    // the drill's next sos-ack is not this SOS's: ignored; the real one's carries no drill mark
    sos.onSosAck({
      ...ack,
      sosId: 'drill-m1x2-ab12cd',
      incidentId: 'inc-drill',
      state: 'acknowledged',
      drill: true,
    });
    expect(sos.status().drill).toBeUndefined();
    sos.onSosAck({ ...ack, sosId: raise.id, incidentId: 'inc-real', state: 'acknowledged' });
    expect(sos.status()).toMatchObject({ state: 'acknowledged', incidentId: 'inc-real' });
    expect(sos.status().drill).toBeUndefined();
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

  it('says plainly that an SOS it could not write is not sent, and writes it as soon as the disk allows', () => {
    const { sos, sent, disk, time } = setup({ fail: true });
    const r = sos.press('injury');
    expect(r).toMatchObject({ ok: false, code: 'write-failed' });
    expect(r.ok || r.message).toContain('disk full');
    expect(sos.status()).toMatchObject({ state: 'unsaved', presses: 1 });
    expect(sos.status().message.en).toMatch(/could not be saved.*call for help by phone/);
    expect(sos.status().message.zh).toContain('未能保存');
    // A second press is not just counted: it is tried again, and still fails honestly.
    time.advance(500);
    expect(sos.press()).toMatchObject({ ok: false, code: 'write-failed', status: { state: 'unsaved' } });
    time.advance(10_000);
    expect(sent).toHaveLength(0);
    disk.fail = false;
    time.advance(2_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ action: 'raise', category: 'injury', presses: 2, id: 'sos-1' });
    expect(sent[0]?.ts).toBe(time.now() - 12_500); // the time of the first press
    expect(sos.state).toBe('sending');
    sos.onAcked('sos-1');
    expect(sos.state).toBe('delivered');
  });

  it('keeps working when the status cannot be saved (the raise itself is in the outbox)', () => {
    const { sos, sent, disk } = setup();
    disk.throwOnSave = true;
    expect(() => sos.press()).not.toThrow();
    expect(sent).toHaveLength(1);
    expect(sos.state).toBe('sending');
  });

  it('shows delivered when the PUBACK comes back before the write returns', () => {
    const { sos } = setup({ ackDuringSubmit: true });
    sos.press();
    expect(sos.state).toBe('delivered');
  });

  it('cancels an SOS that was never written without sending anything', () => {
    const { sos, sent, disk, time } = setup({ fail: true });
    sos.press();
    sos.cancel();
    expect(sos.confirmCancel()).toMatchObject({
      ok: true,
      status: { state: 'closed', closedReason: 'cancelled' },
    });
    disk.fail = false;
    time.advance(60_000);
    expect(sent).toHaveLength(0);
  });

  it('rebuilds and writes an unsaved raise after a restart', () => {
    const a = setup({ fail: true });
    a.sos.press();
    const saved = a.meta.getMeta('sos');
    a.sos.close();
    const b = setup({ saved: () => saved });
    expect(b.sos.state).toBe('unsaved');
    b.time.advance(2_000);
    expect(b.sent).toMatchObject([{ action: 'raise', id: 'sos-1' }]);
    expect(b.sos.state).toBe('sending');
  });

  it('never shows an SOS as sending or delivered unless a raise was written (any presses, disk faults, acks)', () => {
    type Op =
      | { op: 'press' }
      | { op: 'disk'; fail: boolean; throwOnSave: boolean }
      | { op: 'advance'; ms: number }
      | { op: 'ack' }
      | { op: 'cancel' }
      | { op: 'confirm' }
      | { op: 'resolved' };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ op: 'press' }),
      fc.record({ op: fc.constant('disk' as const), fail: fc.boolean(), throwOnSave: fc.boolean() }),
      fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 90_000 }) }),
      fc.constant<Op>({ op: 'ack' }),
      fc.constant<Op>({ op: 'cancel' }),
      fc.constant<Op>({ op: 'confirm' }),
      fc.constant<Op>({ op: 'resolved' }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { sos, sent, disk, time } = setup();
        for (const o of ops) {
          if (o.op === 'press') {
            const before = sent.length;
            const r = sos.press();
            // The API says "sending" only for a raise that is written (now or earlier in this SOS).
            if (r.ok && r.status.state === 'unsaved') throw new Error('ok answer while unsaved');
            if (!r.ok) expect(sent.length).toBe(before);
          } else if (o.op === 'disk') Object.assign(disk, o);
          else if (o.op === 'advance') time.advance(o.ms);
          else if (o.op === 'ack') for (const m of sent) sos.onAcked(m.id);
          else if (o.op === 'cancel') sos.cancel();
          else if (o.op === 'confirm') sos.confirmCancel();
          else {
            const last = sent.filter((m) => m.action === 'raise').at(-1);
            if (last) sos.onSosAck({ ...ack, sosId: last.id, state: 'resolved' });
          }
          const st = sos.status();
          const written = st.raiseIds.some((id) => sent.some((m) => m.id === id));
          if (['sending', 'delivered', 'acknowledged', 'cancelling'].includes(st.state))
            expect(written).toBe(true);
          if (st.state === 'unsaved') expect(written).toBe(false);
        }
        // With the disk back, an unsaved SOS is written within one retry period.
        disk.fail = false;
        time.advance(2_000);
        expect(sos.state).not.toBe('unsaved');
      }),
      { numRuns: 300 },
    );
  });
});
