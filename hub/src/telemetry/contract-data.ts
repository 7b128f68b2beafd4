import type { GrazingPoint, HealthPoint, PositionPoint } from './port.ts';

/**
 * Test data for the telemetry contract: a border patrol tracker of Urad Rear Banner (150825),
 * a herder's collar relay and set-top box in Urad Middle Banner (150824).
 */
export const T0 = 1_764_028_800_000; // 2025-11-25 08:00 Asia/Shanghai
export const MIN = 60_000;
export const DAY = 24 * 3600_000;

export const PATROL = 'trk-patrol-150825-03';
export const RELAY = 'col-150824-104-0007-a';
export const SETTOP = 'stb-150824-104-0007';

/** A patrol walking east along the border near 乌力吉 (Wuliji), one fix every `stepMs`. */
export function patrolFixes(
  n: number,
  opts: { deviceId?: string; t0?: number; stepMs?: number } = {},
): PositionPoint[] {
  const deviceId = opts.deviceId ?? PATROL;
  const t0 = opts.t0 ?? T0;
  const step = opts.stepMs ?? 10_000;
  return Array.from({ length: n }, (_, i) => {
    const p: PositionPoint = {
      deviceId,
      t: t0 + i * step,
      lat: round(42.41032 + i * 0.00002, 6),
      lon: round(106.87411 + i * 0.00013, 6),
      msgId: `${deviceId}:pos:${Math.floor(i / 50)}`,
    };
    if (i % 3 !== 2) p.alt = round(1321.5 + (i % 7) * 0.3, 1);
    if (i % 4 !== 0) p.hdop = 0.9;
    p.speed = round(1.2 + (i % 5) * 0.1, 2);
    p.course = 84.5;
    return p;
  });
}

/** A sheep collar relayed by the household's box (with `subject`). */
export const collarFix = (t: number, subject: string, lat: number, lon: number): PositionPoint => ({
  deviceId: RELAY,
  subject,
  t,
  lat,
  lon,
  msgId: `${RELAY}:pos:${t}`,
});

export const heartbeat = (deviceId: string, t: number, extra: Partial<HealthPoint> = {}): HealthPoint => ({
  deviceId,
  t,
  power: 'solar',
  battery: 64,
  rssi: -97,
  outbox: 3,
  uptimeS: 86_400,
  clockOffsetMs: -420,
  agent: '0.1.0',
  msgId: `${deviceId}:hb:${t}`,
  ...extra,
});

export const grazingReadings = (deviceId: string, t: number): GrazingPoint[] => [
  {
    deviceId,
    t,
    type: 'collar',
    sensorId: 'col-0007-a',
    values: { battery: 71, activity: 38, lat: 42.1302, lon: 108.4511 },
    msgId: `${deviceId}:grz:${t}`,
  },
  {
    deviceId,
    t: t + 1_000,
    type: 'water',
    sensorId: 'wp-0007-1',
    values: { levelPct: 42, frozen: false },
    msgId: `${deviceId}:grz:${t}`,
  },
  {
    deviceId,
    t: t + 2_000,
    type: 'gate',
    sensorId: 'gate-0007',
    values: { headCount: 312, direction: 'in' },
    msgId: `${deviceId}:grz:${t}`,
  },
  {
    deviceId,
    t: t + 3_000,
    type: 'motion',
    sensorId: 'cam-0007',
    values: { events: 2, label: 'animal', night: true },
    msgId: `${deviceId}:grz:${t}`,
  },
];

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
