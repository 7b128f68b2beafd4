import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messageArbs } from './arbitraries.ts';
import { decode, encodeOrThrow, validate } from './codec.ts';
import { FAST_VALIDATORS, type FastValidator } from './fast-validate.ts';
import { fixtures } from './fixtures.ts';
import { MESSAGE_KINDS, MESSAGES, type MessageKind } from './messages.ts';

const FAST_KINDS = ['pos', 'hb', 'sos', 'receipt', 'grazing'] as const;
type FastKind = (typeof FAST_KINDS)[number];
const fastOf = (kind: FastKind): FastValidator => FAST_VALIDATORS.get(kind)!;

/**
 * The schemas the fast validators mirror, without descriptions. A change here (or a zod upgrade
 * that parses differently) means fast-validate.ts must be re-read against the schema, then the
 * hash updated.
 */
const SCHEMA_HASHES: Record<FastKind, string> = {
  pos: '5c6ffa654f123624',
  hb: '2a5ae225154924ff',
  sos: '96c61fe87ed896f5',
  receipt: '904b134a8e47c2f7',
  grazing: '78ee457e21f7e958',
};
const withoutDescriptions = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(withoutDescriptions)
    : typeof x === 'object' && x !== null
      ? Object.fromEntries(
          Object.entries(x)
            .filter(([k]) => k !== 'description')
            .map(([k, v]) => [k, withoutDescriptions(v)]),
        )
      : x;
const schemaHash = (kind: FastKind): string =>
  createHash('sha256')
    .update(JSON.stringify(withoutDescriptions(z.toJSONSchema(MESSAGES[kind].schema, { io: 'input' }))))
    .digest('hex')
    .slice(0, 16);

/** Object keys, in order, all the way down: toStrictEqual alone ignores key order. */
const keyOrder = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(keyOrder)
    : typeof x === 'object' && x !== null
      ? Object.keys(x).map((k) => [k, keyOrder((x as Record<string, unknown>)[k])])
      : typeof x;

/** What zod makes of `text`, and what the fast validator makes of its own parse of it. */
function both(kind: FastKind, text: string) {
  const input = JSON.parse(text);
  const fast = fastOf(kind)(input);
  // (not toStrictEqual: a mutated message may carry an own `constructor` key, which it reads)
  expect(JSON.stringify(input), 'the fast validator must not change its input').toBe(
    JSON.stringify(JSON.parse(text)),
  );
  return { fast, zod: MESSAGES[kind].schema.safeParse(JSON.parse(text)) };
}

/** Whenever the fast validator answers, zod accepts and outputs the same thing, key order included. */
function expectAgrees(kind: FastKind, text: string): boolean {
  const { fast, zod } = both(kind, text);
  if (fast === undefined) return false;
  expect(zod.success, `fast accepted what zod refuses: ${text}`).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  expect(keyOrder(fast)).toEqual(keyOrder(zod.data));
  return true;
}

/** Strings standing for JSON number text that JSON.stringify cannot write: -0 and overflow to ±Infinity. */
const RAW = { '-0': '"@@raw:-0@@"', '1e999': '"@@raw:1e999@@"', '-1e999': '"@@raw:-1e999@@"' };
const rawToken = (t: keyof typeof RAW) => `@@raw:${t}@@`;
const toText = (x: unknown): string => JSON.stringify(x).replace(/"@@raw:([^@]+)@@"/g, '$1');

/** Numbers on and just past every bound the fast kinds have, and the ones JSON.stringify cannot write. */
const EDGE_NUMBERS: unknown[] = [
  ...[0, 1, -1, 0.5, 1.5, -0.1, 1e-300, 2, 31, 32, 33, 63, 64, 65],
  ...[90, 90.000001, -90, -90.000001, 180, 180.000001, -180.000001, -150, -150.5, 100, 100.05],
  ...[150, 150.01, 360, 360.1, 9000, 9000.1, -500, -500.1, 1000, 1001, 10_000, 10_001, 100_000, 100_001],
  ...[86_400_000, 86_400_001, 978_307_200_000, 978_307_199_999, 978_307_200_000.5],
  ...[4_102_444_800_000, 4_102_444_800_001, 1_764_028_800_000.25],
  ...[2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) + 1, -(2 ** 53), 1e21, -1e21, Number.MAX_VALUE],
  ...Object.keys(RAW).map((t) => rawToken(t as keyof typeof RAW)),
];
const EDGE_STRINGS: unknown[] = [
  ...['', 'a', 'x'.repeat(32), 'x'.repeat(33), 'x'.repeat(64), 'x'.repeat(65)],
  ...['x'.repeat(500), 'x'.repeat(501), 'a b', 'a/b', '+', '#', 'é', '-a', '.a', 'a\n', '1'],
  ...['mains', 'Mains', 'battery ', 'solar', 'raise', 'cancel', 'gpsd', 'nmea', 'sim', 'phone'],
  ...['delivered', 'read', 'collar', 'water', 'gate', 'motion', 'in', 'out', 'net'],
  ...['animal', 'person', 'vehicle', 'unknown', 'medical', 'blizzard', 'lost-person'],
];
const EDGE_OTHERS: unknown[] = [null, true, false, [], {}, [null], { v: 1 }];
const EDGE_VALUES = [...EDGE_NUMBERS, ...EDGE_STRINGS, ...EDGE_OTHERS];
const edgeNumberArb = fc.constantFrom(...EDGE_NUMBERS);
const edgeStringArb = fc.oneof(fc.constantFrom(...EDGE_STRINGS), fc.string({ maxLength: 70 }));
/** A replacement value: anything JSON can hold, with schema edges over-represented. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: edgeNumberArb },
  { weight: 3, arbitrary: edgeStringArb },
  fc.constantFrom(...EDGE_OTHERS),
  fc.jsonValue({ maxDepth: 2 }),
);
const keyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '', 'V', 'extra'),
  fc.constantFrom('v', 'id', 'ts', 'category', 'confirmed', 'direction', 'label', 'acc', 'battery', 'pos'),
  fc.string({ maxLength: 8 }),
);

type Path = (string | number)[];
function paths(x: unknown, at: Path = []): Path[] {
  if (Array.isArray(x)) return [at, ...x.flatMap((y, i) => paths(y, [...at, i]))];
  if (typeof x === 'object' && x !== null)
    return [at, ...Object.entries(x).flatMap(([k, y]) => paths(y, [...at, k]))];
  return [at];
}
const get = (x: unknown, p: Path): unknown =>
  p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], x);

type Mutation =
  | { op: 'replace' | 'add'; at: number; value: unknown; key: string }
  | { op: 'delete' | 'shuffle'; at: number; seed: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: valueArb, key: keyArb }),
  },
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), value: valueArb, key: keyArb }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), seed: fc.nat() }),
  fc.record({ op: fc.constant('shuffle' as const), at: fc.nat(), seed: fc.nat() }),
);

/** Applies mutations to a copy of `root`, a JSON tree. */
const mutated = (root: unknown, ms: readonly Mutation[]): unknown =>
  ms.reduce(mutate, JSON.parse(JSON.stringify(root)));

/** Applies one mutation somewhere in `root`, in place; returns the new root. */
function mutate(root: unknown, mutation: Mutation): unknown {
  // fast-check hands out the same constant objects ({}, []) again: never link them into the tree
  const m = 'value' in mutation ? { ...mutation, value: structuredClone(mutation.value) } : mutation;
  const all = paths(root);
  const p = all[m.at % all.length]!;
  if (m.op === 'replace') {
    if (p.length === 0) return m.value;
    (get(root, p.slice(0, -1)) as Record<string | number, unknown>)[p.at(-1)!] = m.value;
    return root;
  }
  const target = get(root, p);
  if (typeof target !== 'object' || target === null) return root;
  if (Array.isArray(target)) {
    if (m.op === 'add') target.splice(m.at % (target.length + 1), 0, m.value);
    else if (m.op === 'delete' && target.length > 0) target.splice(m.seed % target.length, 1);
    else if (m.op === 'shuffle') target.reverse();
    return root;
  }
  const obj = target as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (m.op === 'add') {
    // defineProperty, so that a key like __proto__ becomes an own key, as JSON.parse makes it
    Object.defineProperty(obj, m.key, {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (m.op === 'delete' && keys.length > 0) {
    delete obj[keys[m.seed % keys.length]!];
  } else if (m.op === 'shuffle' && keys.length > 1) {
    const entries = keys.map((k) => [k, obj[k]] as const);
    const by = m.seed % entries.length;
    for (const k of keys) delete obj[k];
    for (const [k, v] of [...entries.slice(by), ...entries.slice(0, by)].reverse()) obj[k] = v;
  }
  return root;
}

/** A valid message of `kind` as a device may send it: as the arbitrary built it, or as encode wrote it. */
const sentArb = (kind: FastKind): fc.Arbitrary<unknown> =>
  fc
    .tuple(messageArbs[kind] as fc.Arbitrary<unknown>, fc.boolean())
    .map(([m, wire]) => JSON.parse(wire ? encodeOrThrow(kind, m as never).toString() : JSON.stringify(m)));

describe('fast validators', () => {
  it('cover the hot kinds and mirror schemas that have not changed since', () => {
    expect([...FAST_VALIDATORS.keys()].sort()).toEqual([...FAST_KINDS].sort());
    for (const kind of FAST_KINDS) {
      expect(
        schemaHash(kind),
        `the ${kind} schema changed: update fast-validate.ts to match it, then SCHEMA_HASHES`,
      ).toBe(SCHEMA_HASHES[kind]);
    }
  });

  for (const kind of FAST_KINDS) {
    it(`${kind}: accept nearly every valid message, with zod's exact output`, () => {
      let runs = 0;
      let accepted = 0;
      fc.assert(
        fc.property(sentArb(kind), (m) => {
          runs++;
          const text = toText(m);
          const { fast, zod } = both(kind, text);
          expect(zod.success).toBe(true);
          if (fast !== undefined) accepted++;
          expectAgrees(kind, text);
        }),
        { numRuns: 300 },
      );
      expect(accepted / runs).toBeGreaterThanOrEqual(0.9);
    });

    it(`${kind}: never accept what zod refuses or outputs differently (mutated messages)`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(sentArb(kind), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (m, ms) => {
          if (expectAgrees(kind, toText(mutated(m, ms)))) accepted++;
        }),
        { numRuns: 2000 },
      );
      // reordered keys and edits within bounds are still valid: the property must see some of them
      expect(accepted).toBeGreaterThan(0);
    }, 30_000);

    it(`${kind}: never accept what zod refuses (each field set to each edge value)`, () => {
      // a few fixes or readings are enough here: they are all checked alike
      const short = sentArb(kind).map((m) => {
        const o = m as { fixes?: unknown[]; readings?: unknown[] };
        return {
          ...o,
          ...(o.fixes && { fixes: o.fixes.slice(0, 3) }),
          ...(o.readings && { readings: o.readings.slice(0, 3) }),
        };
      });
      fc.assert(
        fc.property(short, (m) => {
          const all = paths(m).slice(1);
          for (let i = 0; i < all.length; i++) {
            for (const value of EDGE_VALUES) {
              expectAgrees(kind, toText(mutated(m, [{ op: 'replace', at: i + 1, value, key: '' }])));
            }
          }
        }),
        { numRuns: 10 },
      );
    }, 60_000);

    it(`${kind}: never accept what zod refuses (random JSON)`, () => {
      fc.assert(
        fc.property(fc.jsonValue(), (j) => void expectAgrees(kind, JSON.stringify(j) ?? 'null')),
        { numRuns: 2000 },
      );
    }, 30_000);
  }

  it('keep -0 and refuse numbers that overflow to Infinity, like zod', () => {
    const hb = '{"v":1,"id":"a","ts":1764028800000,"agent":"0.1.0","uptimeS":0,"power":"mains","outbox":0';
    for (const tail of ['}', ',"battery":-0}', ',"rssi":-0}', ',"clockOffsetMs":-0}', ',"rssi":-1e999}']) {
      expectAgrees('hb', hb + tail);
    }
    expect(
      Object.is((fastOf('hb')(JSON.parse(`${hb},"battery":-0}`)) as { battery: number }).battery, -0),
    ).toBe(true);
    expect(fastOf('hb')(JSON.parse(`${hb},"rssi":-1e999}`))).toBeUndefined();
    const fix = (x: string) =>
      `{"v":1,"id":"a","ts":1764028800000,"t0":1764028800000,"fixes":[[${x},42.1,108.4,null,null,null,null]]}`;
    for (const x of ['-0', '0', '1e999', '0.5']) expectAgrees('pos', fix(x));
  });

  it('fill defaults and put keys in schema order, as zod does', () => {
    const raise = '{"action":"raise","v":1,"ts":1764028800000,"id":"a","pos":{"lon":108.4,"lat":42.1}}';
    expect(expectAgrees('sos', raise)).toBe(true);
    expect(Object.keys(fastOf('sos')(JSON.parse(raise)) as object)).toEqual([
      'v',
      'id',
      'ts',
      'action',
      'category',
      'pos',
    ]);
    const gate =
      '{"v":1,"id":"a","ts":1764028800000,"readings":[{"type":"gate","t":1764028800000,"gateId":"g","headCount":3}]}';
    expect(expectAgrees('grazing', gate)).toBe(true);
  });

  it('check array and tuple lengths on both sides of their bounds', () => {
    const pos = JSON.parse(encodeOrThrow('pos', fixtures.pos[0]!).toString());
    const fix = pos.fixes[0];
    for (const n of [0, 1, 500, 501])
      expectAgrees('pos', JSON.stringify({ ...pos, fixes: Array(n).fill(fix) }));
    for (const f of [fix.slice(0, 6), fix, [...fix, null], [...fix, 1]])
      expectAgrees('pos', JSON.stringify({ ...pos, fixes: [f] }));
    const grazing = JSON.parse(encodeOrThrow('grazing', fixtures.grazing[0]!).toString());
    const reading = grazing.readings[0];
    for (const n of [0, 1, 200, 201])
      expectAgrees('grazing', JSON.stringify({ ...grazing, readings: Array(n).fill(reading) }));
  });

  it('leave unknown keys to zod (which strips them)', () => {
    const text = '{"v":1,"id":"a","ts":1764028800000,"noticeId":"n","state":"read","extra":1}';
    expect(both('receipt', text).fast).toBeUndefined();
    expect(decode('receipt', text)).toStrictEqual(validate('receipt', JSON.parse(text)));
  });
});

describe('decode with the fast path', () => {
  it('decodes every fixture as before', () => {
    for (const kind of MESSAGE_KINDS) {
      for (const fixture of fixtures[kind]) {
        for (const payload of [encodeOrThrow(kind, fixture as never), JSON.stringify(fixture)]) {
          const text = payload.toString();
          const before = validate(kind, JSON.parse(text));
          const now = decode(kind, payload);
          expect(now, kind).toStrictEqual(before);
          expect(keyOrder(now)).toEqual(keyOrder(before));
        }
      }
    }
  });

  it('returns what the zod-only path returns, errors included, for mutated messages', () => {
    const kindArb = fc.constantFrom<MessageKind>(...FAST_KINDS);
    fc.assert(
      fc.property(
        kindArb.chain((kind) =>
          fc.tuple(fc.constant(kind), sentArb(kind as FastKind), fc.array(mutationArb, { maxLength: 2 })),
        ),
        ([kind, m, ms]) => {
          const text = toText(mutated(m, ms));
          const before = validate(kind, JSON.parse(text));
          const now = decode(kind, text);
          expect(now).toStrictEqual(before);
          expect(keyOrder(now)).toEqual(keyOrder(before));
        },
      ),
      { numRuns: 2000 },
    );
  }, 30_000);
});
