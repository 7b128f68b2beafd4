/**
 * Every rule alert reaches the real incident engine with the right unit, severity and units to
 * notify, and clears there when its condition ends: the rules module and the incidents module
 * started on one hub context (small league, demo zones, a fake clock driving both).
 */
import type { Fix } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import {
  type Publisher,
  createIncidentsModule,
  type AlertInput,
  type IncidentSink,
  createRulesModule,
} from '@steppelink/hub';
import {
  accepted,
  demo,
  FakeClock,
  heartbeat,
  MIN,
  settle,
  T0,
  testContext,
  track,
} from '@steppelink/hub/rules/testing';

const HOUR = 60 * MIN;
const RELAY = 'col-150824-104-0007-a';
const TRACKER = 'trk-patrol-150825-03';
const GRID = '150824-104-007-03';
const GACHA = '150824-104-007';
const BOXES = ['stb-150824-104-0007', 'stb-150824-104-0008', 'stb-150824-104-0009'];

const publisher: Publisher = { publish: async () => {}, isConnected: () => false };

function hub() {
  const clock = new FakeClock(T0);
  const incidents = createIncidentsModule({ jobs: false, clock });
  const raised: AlertInput[] = [];
  const sink: IncidentSink = {
    raise: (a) => {
      raised.push(a);
      return incidents.sink.raise(a);
    },
    clear: (k, at, note) => incidents.sink.clear(k, at, note),
  };
  const rules = createRulesModule({
    sink,
    clock,
    zones: demo(),
    config: { patrolGapMaxMsByUnit: { '150825': 24 * HOUR } },
  });
  const ctx = testContext({ clock, publisher });
  incidents.start(ctx);
  rules.start(ctx);
  const pos = async (deviceId: string, subject: string | undefined, fixes: Fix[]) => {
    for (const f of fixes) {
      if (f.t > clock.now()) await clock.advance(f.t - clock.now());
      const msg = {
        v: 1 as const,
        id: `p${f.t}${subject}`,
        ts: f.t,
        t0: f.t,
        fixes: [
          [0, f.lat, f.lon, null, null, null, null] as [number, number, number, null, null, null, null],
        ],
        ...(subject ? { subject } : {}),
      };
      await rules.handlers!.pos!(accepted('pos', deviceId, msg, clock.now()));
    }
  };
  const hb = (deviceId: string, power: 'mains' | 'battery', battery?: number) =>
    rules.handlers!.hb!(accepted('hb', deviceId, heartbeat(clock.now(), power, battery), clock.now()));
  /** The incident the engine holds for an alert key. */
  const incident = (key: string) => {
    const id = incidents.engine.openIncidentId(key);
    return id ? incidents.engine.get(id) : undefined;
  };
  return { clock, rules, incidents, raised, pos, hb, incident };
}

const n = (count: number, p: [number, number]) => Array.from({ length: count }, () => p);

describe('rule alerts in the incident engine', () => {
  it('herd alerts: stray to the grid; border approach and crossing to the grid and the township station', async () => {
    const h = hub();
    await h.pos(RELAY, 'camel-1', track(T0, 2 * MIN, n(6, [108.45, 42.1])));
    await h.pos(
      RELAY,
      'camel-2',
      track(T0 + 12 * MIN, MIN, [...n(3, [108.45, 42.318]), ...n(2, [108.45, 42.348])]),
    );
    await h.pos(RELAY, 'camel-3', track(T0 + 20 * MIN, 5 * MIN, n(4, [107.0, 41.93]))); // the Ubalig grazing ban
    await settle();
    const expected: Record<string, [string, string, string, string[]]> = {
      'stray:hh-150824-104-0007:camel-1': ['stray', 'medium', GRID, []],
      'border-approach:hh-150824-104-0007:camel-2': ['border-approach', 'medium', GRID, ['150824-104']],
      'border-crossing:hh-150824-104-0007:camel-2': ['border-crossing', 'high', GRID, ['150824-104']],
      'grazing-ban:hh-150824-104-0007:camel-3': ['grazing-ban', 'low', GRID, []],
    };
    for (const [key, [category, severity, unit, alsoNotify]] of Object.entries(expected)) {
      expect(h.incident(key), key).toMatchObject({
        source: 'rule',
        category,
        severity,
        unit,
        alsoNotify,
        state: expect.stringMatching(/open|notified/),
      });
    }
    // camel-1 comes home: its stray incident is resolved by the rules, not by a person
    await h.pos(RELAY, 'camel-1', track(T0 + 40 * MIN, 2 * MIN, n(7, [108.45, 42.13])));
    await settle();
    expect(h.incident('stray:hh-150824-104-0007:camel-1')).toBeUndefined();
  });

  it('patrol alerts: crossing, man-down and patrol gaps go to the team township and the banner', async () => {
    const h = hub();
    await h.pos(TRACKER, undefined, track(T0, MIN, n(2, [108.45, 42.348]))); // 185 m into Mongolia
    await settle();
    expect(h.incident(`border-crossing:team-150825-201-border:${TRACKER}`)).toMatchObject({
      category: 'border-crossing',
      severity: 'high',
      unit: '150825-201',
      alsoNotify: ['150825'],
    });
    const drive = track(
      T0 + 20 * MIN,
      MIN,
      Array.from({ length: 10 }, (_, i): [number, number] => [106.6 + i * 0.0025, 42.58]),
    );
    await h.pos(TRACKER, undefined, drive);
    await h.pos(TRACKER, undefined, track(T0 + 30 * MIN, MIN, n(21, [106.6225, 42.58])));
    await settle();
    expect(h.incident(`man-down:${TRACKER}`)).toMatchObject({
      category: 'man-down',
      severity: 'high',
      unit: '150825-201',
      alsoNotify: ['150825'],
    });
    await h.clock.advance(25 * HOUR);
    await h.rules.tickNow();
    await settle();
    expect(h.incident('patrol-gap:urad-border:150825-201')).toMatchObject({
      category: 'patrol-gap',
      severity: 'medium',
      unit: '150825-201',
      alsoNotify: ['150825'],
    });
  });

  it('device health: offline boxes and trackers, batteries, a village power cut', async () => {
    const h = hub();
    for (const b of BOXES) await h.hb(b, 'mains');
    await h.hb('stb-150825-201-0021', 'mains', 100);
    await h.hb(TRACKER, 'battery', 15);
    for (const b of BOXES) {
      await h.clock.advance(2 * MIN);
      await h.hb(b, 'battery', 90);
    }
    await h.hb('stb-150825-201-0021', 'battery', 18);
    await h.clock.advance(50 * MIN);
    await settle();
    expect(h.incident(`low-battery:${TRACKER}`)).toMatchObject({ severity: 'medium', unit: '150825-201' });
    expect(h.incident('low-battery:stb-150825-201-0021')).toMatchObject({
      severity: 'low',
      unit: '150825-201-003-02',
    });
    expect(h.incident(`power-cut:${GACHA}`)).toMatchObject({
      category: 'power-cut',
      severity: 'medium',
      unit: GACHA,
    });
    expect(h.incident(`gacha-offline:${GACHA}`)).toMatchObject({
      category: 'gacha-offline',
      severity: 'medium',
      unit: GACHA,
    });
    expect(h.incident('device-offline:stb-150825-201-0021')).toMatchObject({
      category: 'device-offline',
      severity: 'low',
      unit: '150825-201-003-02',
    });
    for (const b of BOXES) expect(h.incident(`device-offline:${b}`)).toBeUndefined(); // counted in the gacha alert
    // mains back at two of the three boxes: the power cut and the outage resolve
    await h.hb(BOXES[0]!, 'mains');
    await h.hb(BOXES[1]!, 'mains');
    await settle();
    expect(h.incident(`power-cut:${GACHA}`)).toBeUndefined();
    expect(h.incident(`gacha-offline:${GACHA}`)).toBeUndefined();
    expect(h.raised.every((a) => a.source === 'rule')).toBe(true);
  });
});
