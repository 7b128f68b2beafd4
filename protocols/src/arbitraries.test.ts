import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyMessageArb,
  deviceIdArb,
  messageArbs,
  messageIdArb,
  positionArb,
  unitIdArb,
  workerIdArb,
} from './arbitraries.ts';
import { validate } from './codec.ts';
import { deviceIdSchema, messageIdSchema, unitIdSchema } from './ids.ts';
import { MESSAGE_KINDS } from './messages.ts';
import { isValidDeviceId } from './topics.ts';

describe('arbitraries', () => {
  it('exist for every kind and produce only valid messages', () => {
    expect(Object.keys(messageArbs).sort()).toEqual([...MESSAGE_KINDS].sort());
    fc.assert(
      fc.property(anyMessageArb, ({ kind, message }) => {
        const r = validate(kind, message);
        expect(r.ok, `${kind}: ${JSON.stringify(!r.ok && r.error)}`).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('produce valid ids', () => {
    fc.assert(
      fc.property(deviceIdArb, unitIdArb, workerIdArb, messageIdArb, (d, u, w, m) => {
        expect(isValidDeviceId(d)).toBe(true);
        expect(deviceIdSchema.safeParse(d).success && unitIdSchema.safeParse(u).success).toBe(true);
        expect(unitIdSchema.safeParse(w).success && messageIdSchema.safeParse(m).success).toBe(true);
      }),
    );
  });

  it('both include and omit optional fields, and mostly place positions in the Urad banners', () => {
    for (const kind of MESSAGE_KINDS) {
      const samples = fc.sample(messageArbs[kind] as fc.Arbitrary<object>, { numRuns: 200, seed: 1 });
      const sizes = new Set(samples.map((s) => Object.keys(s).length));
      // kinds without optional fields: every message has the same number of keys
      const fixed = ['receipt', 'grazing', 'worker-reply'];
      if (!fixed.includes(kind)) expect(sizes.size, kind).toBeGreaterThan(1);
    }
    const positions = fc.sample(positionArb, { numRuns: 500, seed: 1 });
    const local = positions.filter((p) => p.lat >= 41 && p.lat <= 42.7 && p.lon >= 105.8 && p.lon <= 109.2);
    expect(local.length / positions.length).toBeGreaterThan(0.5);
    expect(local.length).toBeLessThan(positions.length);
  });
});
