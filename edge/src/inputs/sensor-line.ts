import { type GrazingReading, grazingReadingSchema } from '@steppelink/protocols';

export type ParseResult = { ok: true; reading: GrazingReading } | { ok: false; reason: string };

/** Short keys of the line protocol → reading fields. */
const KEYS: Record<string, Record<string, string>> = {
  water: { level: 'levelPct', levelPct: 'levelPct', frozen: 'frozen' },
  gate: { count: 'headCount', headCount: 'headCount', dir: 'direction', direction: 'direction' },
  collar: { battery: 'battery', activity: 'activity', lat: 'lat', lon: 'lon', acc: 'acc' },
  motion: { events: 'events', label: 'label' },
};
const ID_FIELD: Record<string, string> = {
  water: 'pointId',
  gate: 'gateId',
  collar: 'collarId',
  motion: 'cameraId',
};

function value(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : raw;
}

/**
 * Parses one line of the grazing sensor line protocol (serial or UDP relays):
 *
 *     water  wp-0007-1  level=42 frozen=false [t=<epoch ms>]
 *     gate   gate-0007  count=312 dir=in
 *     collar col-0007-a battery=71 activity=38 lat=42.1302 lon=108.4511
 *     motion cam-0007   events=2 label=animal
 *
 * or a reading as a JSON object. Without `t` the reading gets `now`. Never throws.
 */
export function parseSensorLine(line: string, now: number): ParseResult {
  const text = line.trim();
  if (text === '') return { ok: false, reason: 'empty line' };
  let candidate: Record<string, unknown>;
  if (text.startsWith('{')) {
    try {
      candidate = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'line starts with { but is not JSON' };
    }
    if (typeof candidate !== 'object' || candidate === null)
      return { ok: false, reason: 'JSON line is not an object' };
    candidate = { t: now, ...candidate };
  } else {
    const [type, id, ...pairs] = text.split(/\s+/);
    const keys = type ? KEYS[type] : undefined;
    const idField = type ? ID_FIELD[type] : undefined;
    if (!type || !keys || !idField)
      return {
        ok: false,
        reason: `unknown sensor type ${JSON.stringify(type)}; use water, gate, collar or motion`,
      };
    if (!id || id.includes('='))
      return { ok: false, reason: `${type} line needs a sensor id after the type` };
    candidate = { type, [idField]: id, t: now };
    const pos: Record<string, unknown> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return { ok: false, reason: `expected key=value, got ${JSON.stringify(pair)}` };
      const k = pair.slice(0, eq);
      const v = value(pair.slice(eq + 1));
      if (k === 't') candidate.t = v;
      else if (type === 'collar' && (k === 'lat' || k === 'lon' || k === 'acc')) pos[k] = v;
      else if (keys[k]) candidate[keys[k]] = v;
      else
        return {
          ok: false,
          reason: `unknown key ${JSON.stringify(k)} for ${type}; known: ${Object.keys(keys).join(', ')}, t`,
        };
    }
    if (Object.keys(pos).length > 0) candidate.pos = pos;
  }
  const parsed = grazingReadingSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'reading'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, reading: parsed.data };
}
