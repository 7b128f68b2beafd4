import { latSchema, lonSchema } from '@steppelink/protocols';
import { distance } from '@turf/distance';
import { point } from '@turf/helpers';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canSee } from '../api/context.ts';
import { apiError } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { type JsonInput, readJson } from '../api/validate.ts';
import type { HubContext, HubModule } from '../context.ts';
import { migrate } from '../state/db.ts';

/** Check-in (打卡) defaults, each explained. */
export const CHECKIN_DEFAULTS = {
  visitRadiusM: 500, // a check-in this close to a household's camp counts as a visit to it (入户走访)
  maxClockSkewMs: 24 * 3_600_000, // phones queue check-ins offline; older than a day is refused as a likely clock error
  listLimit: 500,
};

const bodySchema = z
  .object({
    pos: z.object({ lat: latSchema, lon: lonSchema, acc: z.number().min(0).max(100_000).optional() }),
    at: z.number().int(),
    unit: z.string().min(1).max(64).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();

const migrations = [
  `CREATE TABLE checkins (
     id INTEGER PRIMARY KEY AUTOINCREMENT, person_id TEXT NOT NULL, unit_id TEXT NOT NULL, at INTEGER NOT NULL,
     lat REAL NOT NULL, lon REAL NOT NULL, acc REAL, note TEXT, household_id TEXT, household_m REAL,
     received_at INTEGER NOT NULL);
   CREATE INDEX checkins_unit_at ON checkins(unit_id, at);
   CREATE INDEX checkins_person_at ON checkins(person_id, at);`,
];

/**
 * Grid-worker check-in (打卡): the phone's position at a moment, in one of the worker's units,
 * matched to the nearest household camp so visits count toward the quarterly assessment.
 */
export function createCheckinsModule(options: Partial<typeof CHECKIN_DEFAULTS> = {}) {
  const cfg = { ...CHECKIN_DEFAULTS, ...options };
  let ctx: HubContext | undefined;
  const need = () => {
    if (!ctx) throw new Error('check-ins used before start()');
    return ctx;
  };

  async function create(c: Context<ApiEnv, '/checkins', JsonInput<typeof bodySchema>>) {
    const hub = need();
    const p = c.get('principal');
    const parsed = await readJson(c, bodySchema);
    if (!parsed.ok) return parsed.res;
    const b = parsed.data;
    const now = hub.clock.now();
    if (Math.abs(b.at - now) > cfg.maxClockSkewMs) {
      return apiError(
        c,
        422,
        'bad_time',
        'at is more than a day away from the hub clock; check the phone clock',
      );
    }
    const own = p.roles.map((r) => r.unit);
    const unitId = b.unit ?? own[0];
    if (!unitId || !own.some((u) => hub.registry.isWithin(unitId, u))) {
      return apiError(c, 403, 'forbidden', `you can check in only in your own units (${own.join(', ')})`);
    }
    const here = point([b.pos.lon, b.pos.lat]);
    let nearest: { id: string; name: string; m: number } | undefined;
    for (const h of hub.registry.householdsInUnit(unitId)) {
      const m = distance(here, point([h.location.lon, h.location.lat]), { units: 'meters' });
      if (m <= cfg.visitRadiusM && (!nearest || m < nearest.m)) nearest = { id: h.id, name: h.name, m };
    }
    const info = hub.db
      .prepare(
        `INSERT INTO checkins (person_id, unit_id, at, lat, lon, acc, note, household_id, household_m, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.personId,
        unitId,
        b.at,
        b.pos.lat,
        b.pos.lon,
        b.pos.acc ?? null,
        b.note ?? null,
        nearest?.id ?? null,
        nearest?.m ?? null,
        now,
      );
    return c.json(
      {
        id: Number(info.lastInsertRowid),
        personId: p.personId,
        unitId,
        at: b.at,
        pos: b.pos,
        household: nearest ? { id: nearest.id, name: nearest.name, distanceM: Math.round(nearest.m) } : null,
      },
      201,
    );
  }

  function list(c: Context<ApiEnv>) {
    const hub = need();
    const p = c.get('principal');
    const unit = c.req.query('unit') ?? p.roles[0]?.unit;
    if (!unit || !canSee(hub.registry, p, unit))
      return apiError(c, 403, 'out_of_scope', `unit ${unit} is outside your units`);
    const from = Number(c.req.query('from') ?? hub.clock.now() - 7 * 86_400_000);
    const to = Number(c.req.query('to') ?? hub.clock.now());
    if (!Number.isFinite(from) || !Number.isFinite(to))
      return apiError(c, 400, 'invalid_query', 'from and to must be epoch ms');
    const units = hub.registry.descendants(unit);
    const rows = hub.db
      .prepare(
        `SELECT c.id, c.person_id AS personId, p.name AS personName, c.unit_id AS unitId, c.at, c.lat, c.lon, c.acc,
                c.note, c.household_id AS householdId, c.household_m AS householdM
         FROM checkins c LEFT JOIN people p ON p.id = c.person_id
         WHERE c.unit_id IN (SELECT value FROM json_each(?)) AND c.at BETWEEN ? AND ? ORDER BY c.at DESC LIMIT ?`,
      )
      .all(JSON.stringify(units), from, to, cfg.listLimit);
    return c.json({ unit, from, to, checkins: rows });
  }

  return {
    name: 'checkins',
    start(c) {
      ctx = c;
      migrate(c.db, 'checkins', migrations);
    },
    routes: new Hono<ApiEnv>()
      .post(
        '/checkins',
        doc('checkins', 'Check in (打卡) at a position; the nearest household is named', {
          status: 201,
          body: bodySchema,
        }),
        create,
      )
      .get(
        '/checkins',
        doc('checkins', 'Check-ins in your units', {
          query: z.object({
            unit: z.string().optional(),
            from: z.string().optional(),
            to: z.string().optional(),
          }),
        }),
        list,
      ),
    health: () => ({ state: 'up' }),
    close() {
      ctx = undefined;
    },
  } satisfies HubModule;
}

export type CheckinsModule = ReturnType<typeof createCheckinsModule>;
