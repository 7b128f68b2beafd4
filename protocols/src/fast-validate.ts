/**
 * Hand-written validators for the hot upstream kinds, run by decode before zod. zod stays the
 * source of truth: a fast validator returns exactly what the schema's safeParse would output, or
 * `undefined` for "not sure", and then zod runs and gives the value or the precise error. So these
 * never produce an error, and any doubt (unknown key, wrong type, out of range) is `undefined`.
 *
 * Inputs must come straight from JSON.parse: plain objects and arrays with own data properties.
 * Arbitrary JS values (getters, prototypes, class instances) go through zod only.
 *
 * When a schema in kinds/ changes, change the validator here too: fast-validate.test.ts pins the
 * schemas it mirrors and compares the two on random and mutated messages.
 */
import type { z } from 'zod';
import { EPOCH_MAX_MS, EPOCH_MIN_MS, powerSourceSchema } from './common.ts';
import { ID_MAX_LENGTH, MESSAGE_ID_PATTERN } from './ids.ts';
import { grazingReadingSchema, grazingSchema } from './kinds/grazing.ts';
import { hbSchema } from './kinds/hb.ts';
import { POS_MAX_FIXES, posSchema } from './kinds/pos.ts';
import { receiptSchema } from './kinds/receipt.ts';
import { SOS_CATEGORIES, sosSchema } from './kinds/sos.ts';
import type { MessageKind } from './messages.ts';

type Obj = Record<string, unknown>;
export type FastValidator<T = unknown> = (value: unknown) => T | undefined;

// Output key order is schema shape order (zod builds a new object that way); these lists must equal
// the shapes' keys, checked once below so a drifted schema falls back to zod instead of passing unchecked.
const ENVELOPE = ['v', 'id', 'ts'];
const STORAGE_STATES = new Set<unknown>(['ok', 'full', 'failing']);
const HB_KEYS = [
  ...ENVELOPE,
  'agent',
  'fw',
  'uptimeS',
  'power',
  'battery',
  'rssi',
  'outbox',
  'evicted',
  'clockOffsetMs',
  'storage',
  'refused',
];
const POS_KEYS = [...ENVELOPE, 't0', 'src', 'subject', 'fixes'];
const RAISE_KEYS = [...ENVELOPE, 'action', 'category', 'pos', 'power', 'note', 'presses'];
const CANCEL_KEYS = [...ENVELOPE, 'action', 'confirmed', 'raiseId', 'note'];
const RECEIPT_KEYS = [...ENVELOPE, 'noticeId', 'state'];
const GRAZING_KEYS = [...ENVELOPE, 'readings'];
const POSITION_KEYS = ['lat', 'lon', 'acc'];
const SOS_POWER_KEYS = ['source', 'battery'];
const COLLAR_KEYS = ['type', 't', 'collarId', 'battery', 'activity', 'pos'];
const WATER_KEYS = ['type', 't', 'pointId', 'levelPct', 'frozen'];
const GATE_KEYS = ['type', 't', 'gateId', 'headCount', 'direction'];
const MOTION_KEYS = ['type', 't', 'cameraId', 'events', 'label'];

const POWER_SOURCES: ReadonlySet<unknown> = new Set(powerSourceSchema.options);
const SOS_CATEGORY_SET: ReadonlySet<unknown> = new Set(SOS_CATEGORIES);

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown, min: number, max: number): boolean => typeof x === 'number' && x >= min && x <= max;
const optNum = (x: unknown, min: number, max: number): boolean => x === undefined || num(x, min, max);
const nullNum = (x: unknown, min: number, max: number): boolean => x === null || num(x, min, max);
// Bounded well inside ±2^53, so isInteger here is zod's .int() (which also wants a safe integer).
const int = (x: unknown, min: number, max: number): boolean =>
  typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
const natural = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
const str = (x: unknown, min: number, max: number): boolean =>
  typeof x === 'string' && x.length >= min && x.length <= max;
const optStr = (x: unknown, min: number, max: number): boolean => x === undefined || str(x, min, max);
const epochMs = (x: unknown): boolean => int(x, EPOCH_MIN_MS, EPOCH_MAX_MS);
const messageId = (x: unknown): boolean =>
  typeof x === 'string' && x.length >= 1 && x.length <= ID_MAX_LENGTH && MESSAGE_ID_PATTERN.test(x);
const envelope = (o: Obj): boolean => o.v === 1 && messageId(o.id) && epochMs(o.ts);

const IN_ORDER = 1;
const OTHER_ORDER = 0;
const UNKNOWN_KEY = -1;
/** Whether `o` has only keys of `keys` (the schema's, in shape order), and in that order. */
function keyOrder(o: Obj, keys: readonly string[]): number {
  let next = 0;
  let order = IN_ORDER;
  for (const k in o) {
    let j = next;
    while (j < keys.length && keys[j] !== k) j++;
    if (j < keys.length) next = j + 1;
    else if (keys.includes(k)) order = OTHER_ORDER;
    else return UNKNOWN_KEY;
  }
  return order;
}

/** What zod outputs for a valid `o`: its keys in shape order, with defaults for absent defaulted keys. */
function inShapeOrder(o: Obj, keys: readonly string[], defaults?: Obj): Obj {
  const out: Obj = {};
  for (const k of keys) {
    const x = o[k];
    if (x !== undefined) out[k] = x;
    else if (defaults !== undefined && Object.hasOwn(defaults, k)) out[k] = defaults[k];
  }
  return out;
}

/** `o` itself when it is already what zod would output, else a copy in shape order; undefined on an unknown key. */
function output(o: Obj, keys: readonly string[], defaults?: Obj, missingDefault = false): Obj | undefined {
  const order = keyOrder(o, keys);
  if (order === UNKNOWN_KEY) return undefined;
  return order === IN_ORDER && !missingDefault ? o : inShapeOrder(o, keys, defaults);
}

function position(x: unknown): Obj | undefined {
  if (!isObj(x) || !num(x.lat, -90, 90) || !num(x.lon, -180, 180) || !optNum(x.acc, 0, 100_000))
    return undefined;
  return output(x, POSITION_KEYS);
}

function hb(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const o = value;
  if (
    !envelope(o) ||
    !str(o.agent, 1, 32) ||
    !optStr(o.fw, 0, 64) ||
    !natural(o.uptimeS) ||
    !POWER_SOURCES.has(o.power) ||
    !optNum(o.battery, 0, 100) ||
    !optNum(o.rssi, -150, 0) ||
    !natural(o.outbox) ||
    (o.evicted !== undefined && !natural(o.evicted)) ||
    (o.clockOffsetMs !== undefined && !Number.isSafeInteger(o.clockOffsetMs)) ||
    (o.storage !== undefined && !STORAGE_STATES.has(o.storage)) ||
    (o.refused !== undefined && !natural(o.refused))
  )
    return undefined;
  return output(o, HB_KEYS);
}

function fix(f: unknown): boolean {
  return (
    Array.isArray(f) &&
    f.length === 7 &&
    int(f[0], 0, 86_400_000) &&
    num(f[1], -90, 90) &&
    num(f[2], -180, 180) &&
    nullNum(f[3], -500, 9000) &&
    nullNum(f[4], 0, 100) &&
    nullNum(f[5], 0, 150) &&
    nullNum(f[6], 0, 360)
  );
}

function pos(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const o = value;
  const src = o.src;
  if (
    !envelope(o) ||
    !epochMs(o.t0) ||
    !(src === undefined || src === 'gpsd' || src === 'nmea' || src === 'sim' || src === 'phone') ||
    !optStr(o.subject, 1, 64)
  )
    return undefined;
  const fixes = o.fixes;
  if (!Array.isArray(fixes) || fixes.length < 1 || fixes.length > POS_MAX_FIXES) return undefined;
  for (let i = 0; i < fixes.length; i++) if (!fix(fixes[i])) return undefined;
  return output(o, POS_KEYS);
}

function sosPower(w: unknown): Obj | undefined {
  if (!isObj(w) || !POWER_SOURCES.has(w.source) || !optNum(w.battery, 0, 100)) return undefined;
  return output(w, SOS_POWER_KEYS);
}

const RAISE_DEFAULTS: Obj = { category: 'unknown' };

function sos(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const o = value;
  if (!envelope(o) || !(o.note === undefined || str(o.note, 0, 500))) return undefined;
  if (o.action === 'cancel') {
    if (o.confirmed !== true || !(o.raiseId === undefined || messageId(o.raiseId))) return undefined;
    return output(o, CANCEL_KEYS);
  }
  if (o.action !== 'raise') return undefined;
  const category = o.category;
  if (!(category === undefined || SOS_CATEGORY_SET.has(category))) return undefined;
  if (!(o.presses === undefined || int(o.presses, 1, 1000))) return undefined;
  const p = o.pos === undefined ? undefined : position(o.pos);
  if (p === undefined && o.pos !== undefined) return undefined;
  const power = o.power === undefined ? undefined : sosPower(o.power);
  if (power === undefined && o.power !== undefined) return undefined;
  const out = output(o, RAISE_KEYS, RAISE_DEFAULTS, category === undefined);
  if (out === undefined || (p === o.pos && power === o.power)) return out;
  // A nested object came back reordered: never write into the input (zod may still have to run on it).
  const copy = out === o ? { ...o } : out;
  if (p !== undefined) copy.pos = p;
  if (power !== undefined) copy.power = power;
  return copy;
}

function receipt(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  const o = value;
  if (!envelope(o) || !messageId(o.noticeId) || !(o.state === 'delivered' || o.state === 'read'))
    return undefined;
  return output(o, RECEIPT_KEYS);
}

const sensorId = (x: unknown): boolean => str(x, 1, 64);
const GATE_DEFAULTS: Obj = { direction: 'net' };
const MOTION_DEFAULTS: Obj = { label: 'unknown' };

function reading(r: unknown): Obj | undefined {
  if (!isObj(r) || !epochMs(r.t)) return undefined;
  switch (r.type) {
    case 'collar': {
      if (!sensorId(r.collarId) || !num(r.battery, 0, 100) || !num(r.activity, 0, 100)) return undefined;
      if (r.pos === undefined) return output(r, COLLAR_KEYS);
      const p = position(r.pos);
      if (p === undefined) return undefined;
      const out = output(r, COLLAR_KEYS);
      if (out === undefined || p === r.pos) return out;
      return { ...out, pos: p };
    }
    case 'water':
      if (
        !sensorId(r.pointId) ||
        !num(r.levelPct, 0, 100) ||
        !(r.frozen === undefined || typeof r.frozen === 'boolean')
      )
        return undefined;
      return output(r, WATER_KEYS);
    case 'gate': {
      const d = r.direction;
      if (
        !sensorId(r.gateId) ||
        !int(r.headCount, 0, 100_000) ||
        !(d === undefined || d === 'in' || d === 'out' || d === 'net')
      )
        return undefined;
      return output(r, GATE_KEYS, GATE_DEFAULTS, d === undefined);
    }
    case 'motion': {
      const l = r.label;
      if (
        !sensorId(r.cameraId) ||
        !int(r.events, 0, 10_000) ||
        !(l === undefined || l === 'animal' || l === 'person' || l === 'vehicle' || l === 'unknown')
      )
        return undefined;
      return output(r, MOTION_KEYS, MOTION_DEFAULTS, l === undefined);
    }
    default:
      return undefined;
  }
}

function grazing(value: unknown): Obj | undefined {
  if (!isObj(value) || !envelope(value)) return undefined;
  const readings = value.readings;
  if (!Array.isArray(readings) || readings.length < 1 || readings.length > 200) return undefined;
  let copy: unknown[] | undefined;
  for (let i = 0; i < readings.length; i++) {
    const r = reading(readings[i]);
    if (r === undefined) return undefined;
    if (copy === undefined && r !== readings[i]) copy = readings.slice(0, i);
    copy?.push(r);
  }
  const out = output(value, GRAZING_KEYS);
  if (out === undefined || copy === undefined) return out;
  return { ...out, readings: copy };
}

const sameKeys = (schema: z.ZodObject, keys: readonly string[]): boolean => {
  const shape = Object.keys(schema.shape);
  return shape.length === keys.length && shape.every((k, i) => k === keys[i]);
};
const [raiseSchema, cancelSchema] = sosSchema.options;
const [collarSchema, waterSchema, gateSchema, motionSchema] = grazingReadingSchema.options;

/** The schemas each validator mirrors, with the key lists it assumes (tests check nothing is missing). */
const MIRRORED: Record<string, [z.ZodObject, readonly string[]][]> = {
  hb: [[hbSchema, HB_KEYS]],
  pos: [[posSchema, POS_KEYS]],
  sos: [
    [raiseSchema, RAISE_KEYS],
    [cancelSchema, CANCEL_KEYS],
  ],
  receipt: [[receiptSchema, RECEIPT_KEYS]],
  grazing: [
    [grazingSchema, GRAZING_KEYS],
    [collarSchema, COLLAR_KEYS],
    [waterSchema, WATER_KEYS],
    [gateSchema, GATE_KEYS],
    [motionSchema, MOTION_KEYS],
  ],
};

const ALL: { [K in MessageKind]?: FastValidator } = { hb, pos, sos, receipt, grazing };

/** Fast validators by kind; a kind whose schema keys no longer match is left out (zod only). */
export const FAST_VALIDATORS: ReadonlyMap<string, FastValidator> = new Map(
  Object.entries(ALL).filter(
    ([kind]) => MIRRORED[kind]?.every(([schema, keys]) => sameKeys(schema, keys)) === true,
  ) as [string, FastValidator][],
);
