import type { UpKind } from '@steppelink/protocols';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEntry, OutboxLimits, OutboxStore } from './port.ts';

/**
 * The contract every OutboxStore adapter passes. Call it from the adapter's test file:
 * `runOutboxContract('memory', (limits) => createMemoryOutbox(limits))`.
 */
export function runOutboxContract(
  name: string,
  create: (limits?: Partial<OutboxLimits>) => OutboxStore,
): void {
  describe(`outbox contract: ${name}`, () => {
    const open: OutboxStore[] = [];
    const make = (limits?: Partial<OutboxLimits>) => {
      const s = create(limits);
      open.push(s);
      return s;
    };
    afterEach(() => {
      for (const s of open.splice(0)) s.close();
    });

    let n = 0;
    const entry = (kind: UpKind, bytes = 10): NewEntry => ({
      kind,
      topic: `sl/v1/stb-150824-104-0007/${kind}`,
      msgId: `m${++n}`,
      payload: Buffer.alloc(bytes, 120),
      createdMs: 1_764_028_800_000 + n,
    });

    it('returns entries in send order: SOS, receipts, heartbeats, telemetry; oldest first within each', () => {
      const s = make();
      const kinds: UpKind[] = ['pos', 'hb', 'grazing', 'receipt', 'sos', 'pos', 'sos'];
      const ids = kinds.map((k) => ({ k, id: s.put(entry(k)).seq }));
      const order = s.next(100).map((e) => e.kind);
      expect(order).toEqual(['sos', 'sos', 'receipt', 'hb', 'pos', 'grazing', 'pos']);
      const sosSeqs = ids.filter((x) => x.k === 'sos').map((x) => x.id);
      expect(s.next(2).map((e) => e.seq)).toEqual(sosSeqs);
    });

    it('keeps topic, id, payload bytes and creation time', () => {
      const s = make();
      const e = { ...entry('sos'), payload: Buffer.from('{"v":1,"note":"羊群被困"}') };
      s.put(e);
      const [got] = s.next(1);
      expect(got?.topic).toBe(e.topic);
      expect(got?.msgId).toBe(e.msgId);
      expect(got?.createdMs).toBe(e.createdMs);
      expect(Buffer.from(got?.payload ?? []).toString()).toBe('{"v":1,"note":"羊群被困"}');
    });

    it('continues after a cursor, and a new SOS appears before the cursor position', () => {
      const s = make();
      for (let i = 0; i < 5; i++) s.put(entry('pos'));
      const first = s.next(2);
      const last = first.at(-1);
      if (!last) throw new Error('expected entries');
      const rest = s.next(10, { prio: last.prio, seq: last.seq });
      expect(rest).toHaveLength(3);
      expect(rest.every((e) => e.seq > last.seq)).toBe(true);
      s.put(entry('sos'));
      expect(s.next(10, { prio: last.prio, seq: last.seq }).map((e) => e.kind)).not.toContain('sos');
      expect(s.next(1)[0]?.kind).toBe('sos');
    });

    it('removes by seq, ignores unknown seqs and keeps the counters right', () => {
      const s = make();
      const a = s.put(entry('pos', 100)).seq;
      s.put(entry('sos', 50));
      expect(s.remove([a, 999_999])).toBe(1);
      expect(s.remove([a])).toBe(0);
      const st = s.stats();
      expect(st.count).toBe(1);
      expect(st.bytes).toBe(50);
      expect(st.byPriority).toEqual({ sos: 1, receipt: 0, hb: 0, telemetry: 0 });
    });

    it('evicts the oldest telemetry first, then heartbeats, and counts what it evicted', () => {
      const s = make({ maxMessages: 4 });
      const sos = s.put(entry('sos')).seq;
      const hb = s.put(entry('hb')).seq;
      const p1 = s.put(entry('pos')).seq;
      const p2 = s.put(entry('pos')).seq;
      const r = s.put(entry('pos'));
      expect(r.evicted).toBe(1);
      let seqs = s.next(10).map((e) => e.seq);
      expect(seqs).not.toContain(p1);
      expect(seqs).toContain(p2);
      s.put(entry('receipt')); // evicts p2
      s.put(entry('sos')); // evicts the last pos
      expect(s.next(10).map((e) => e.seq)).toContain(hb);
      s.put(entry('receipt')); // no telemetry left: evicts the heartbeat
      seqs = s.next(10).map((e) => e.seq);
      expect(seqs).toContain(sos);
      expect(seqs).not.toContain(hb);
      expect(s.stats().evicted).toBe(4);
      expect(s.stats().byPriority).toEqual({ sos: 2, receipt: 2, hb: 0, telemetry: 0 });
    });

    it('never evicts SOS or receipts, even past the byte bound', () => {
      const s = make({ maxBytes: 100 });
      for (let i = 0; i < 5; i++) s.put(entry('sos', 40));
      s.put(entry('receipt', 40));
      const r = s.put(entry('pos', 40));
      expect(r.evicted).toBe(1);
      expect(s.stats().byPriority).toEqual({ sos: 5, receipt: 1, hb: 0, telemetry: 0 });
      expect(s.stats().bytes).toBe(240);
    });

    it('stages items durably and seals them into one entry atomically', () => {
      const s = make();
      const a = s.stage('pos', '[1]');
      const b = s.stage('pos', '[2]');
      const c = s.stage('grazing', '{"g":1}');
      s.stage('pos', '[3]');
      expect(s.staged('pos').map((x) => x.item)).toEqual(['[1]', '[2]', '[3]']);
      expect(s.staged().map((x) => x.sid)).toContain(c);
      expect(a).toBeLessThan(b);
      s.commitStaged('pos', b, entry('pos'));
      expect(s.staged('pos').map((x) => x.item)).toEqual(['[3]']);
      expect(s.staged('grazing')).toHaveLength(1);
      expect(s.stats()).toMatchObject({ count: 1, staged: 2 });
      expect(s.dropStaged('grazing', c)).toBe(1);
      expect(s.stats()).toMatchObject({ count: 1, staged: 1 });
    });

    it('keeps small metadata', () => {
      const s = make();
      expect(s.getMeta('notices')).toBeUndefined();
      s.setMeta('notices', '[]');
      s.setMeta('notices', '[{"noticeId":"ntc-1"}]');
      expect(s.getMeta('notices')).toBe('[{"noticeId":"ntc-1"}]');
    });

    it('refuses use after close with a clear error', () => {
      const s = create();
      s.close();
      expect(() => s.put(entry('sos'))).toThrow(/closed/);
    });

    it('matches a model under random puts, removes and bounds (property)', () => {
      const kinds: UpKind[] = ['sos', 'receipt', 'hb', 'pos', 'grazing'];
      const op = fc.oneof(
        fc.record({ t: fc.constant('put' as const), k: fc.integer({ min: 0, max: 4 }) }),
        fc.record({ t: fc.constant('rm' as const), i: fc.nat(20) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 3, max: 12 }), (ops, max) => {
          const s = create({ maxMessages: max });
          try {
            let model: { seq: number; prio: number }[] = [];
            let evicted = 0;
            for (const o of ops) {
              if (o.t === 'put') {
                const kind = kinds[o.k] ?? 'pos';
                const { seq } = s.put(entry(kind));
                const prio = [0, 1, 2, 3, 3][o.k] ?? 3;
                model.push({ seq, prio });
                for (const p of [3, 2]) {
                  while (model.length > max) {
                    const oldest = model.filter((m) => m.prio === p).sort((a, b) => a.seq - b.seq)[0];
                    if (!oldest) break;
                    model = model.filter((m) => m !== oldest);
                    evicted++;
                  }
                }
              } else {
                const victim = model[o.i % Math.max(1, model.length)];
                if (victim) {
                  s.remove([victim.seq]);
                  model = model.filter((m) => m !== victim);
                }
              }
            }
            const want = [...model].sort((a, b) => a.prio - b.prio || a.seq - b.seq).map((m) => m.seq);
            expect(s.next(1000).map((e) => e.seq)).toEqual(want);
            expect(s.stats().count).toBe(model.length);
            expect(s.stats().evicted).toBe(evicted);
          } finally {
            s.close();
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
