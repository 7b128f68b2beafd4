import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import { monotonicFactory } from 'ulid';
import type { RegistryDocument } from '@steppelink/hub';

/**
 * The benchmark fleet, shaped like a sumu's worth of devices in Urad Middle and Rear Banners:
 * patrol trackers (positions), collar relays reporting for herds (positions with a subject) and
 * household set-top boxes (heartbeats). Payloads are pre-encoded before the clock starts.
 */
export interface FleetDevice {
  id: string;
  kind: 'tracker' | 'collar-relay' | 'settop';
  password: string;
}

const T0 = 1_764_028_800_000; // 2025-11-25 08:00 Asia/Shanghai
const pad = (n: number) => String(n).padStart(4, '0');
export const benchSecret = (id: string) => `bench-secret-${id}`;

export function fleet(size: number): FleetDevice[] {
  return Array.from({ length: size }, (_, i) => {
    const kind: FleetDevice['kind'] = i % 10 < 4 ? 'tracker' : i % 10 < 7 ? 'collar-relay' : 'settop';
    const id =
      kind === 'tracker'
        ? `trk-bench-150825-${pad(i)}`
        : kind === 'collar-relay'
          ? `col-bench-150824-${pad(i)}`
          : `stb-bench-150824-${pad(i)}`;
    return { id, kind, password: benchSecret(id) };
  });
}

/** Registry entries for the fleet (households in grid 150824-104-007-03, trackers in the Chaogewenduer border team). */
export function fleetRegistry(
  devices: readonly FleetDevice[],
): Pick<RegistryDocument, 'households' | 'devices'> {
  const households = devices
    .filter((d) => d.kind !== 'tracker')
    .map((d, i) => ({
      id: `hh-bench-${d.id}`,
      grid: '150824-104-007-03',
      name: `牧户${i + 1}`,
      lang: 'mn' as const,
      location: { lat: 42.1 + (i % 50) * 0.002, lon: 108.4 + Math.floor(i / 50) * 0.002 },
      members: [],
    }));
  return {
    households,
    devices: devices.map((d) => ({
      id: d.id,
      kind: d.kind,
      enabled: true,
      secret: d.password,
      ...(d.kind === 'tracker' ? { team: 'team-150825-201-border' } : { household: `hh-bench-${d.id}` }),
    })),
  } as Pick<RegistryDocument, 'households' | 'devices'>;
}

/** Message n (1-based) of a device: topic and payload. Ids are ULIDs of the source time, as the edge agent makes them. */
export function message(
  d: FleetDevice,
  n: number,
  ulid = monotonicFactory(),
): { topic: string; payload: Buffer } {
  const ts = T0 + n * 10_000;
  const id = ulid(ts);
  if (d.kind === 'settop') {
    return {
      topic: upTopic(d.id, 'hb'),
      payload: encodeOrThrow('hb', {
        v: 1,
        id,
        ts,
        agent: '0.1.0',
        fw: 'RaspiOS 12 arm64',
        uptimeS: 3_600 + n * 10,
        power: n % 7 === 0 ? 'battery' : 'mains',
        battery: 80,
        rssi: -90 - (n % 15),
        outbox: n % 5,
        clockOffsetMs: -120,
      }),
    };
  }
  const lat = 41.86 + (n % 1000) * 1e-4;
  const lon = 106.93 + (n % 777) * 1e-4;
  const fixes: [number, number, number, number | null, number | null, number | null, number | null][] =
    d.kind === 'tracker'
      ? [
          [0, lat, lon, 1321.5, 0.9, 11.2, 84.5],
          [3_000, lat + 2e-5, lon + 3e-5, 1321.8, 0.9, 11.4, 85],
          [6_000, lat + 4e-5, lon + 6e-5, null, 1.1, 11, 86.2],
        ]
      : [[0, lat, lon, null, null, null, null]];
  return {
    topic: upTopic(d.id, 'pos'),
    payload: encodeOrThrow('pos', {
      v: 1,
      id,
      ts: ts + 500,
      t0: ts,
      src: d.kind === 'tracker' ? 'gpsd' : 'sim',
      ...(d.kind === 'collar-relay' ? { subject: `herd-${d.id.slice(-4)}-sheep` } : {}),
      fixes: fixes.map((f) =>
        f.map((x, i) => (i === 1 || i === 2 ? Number((x as number).toFixed(6)) : x)),
      ) as typeof fixes,
    }),
  };
}

/** Positions stored for one device after n messages (trackers send 3 fixes per message). */
export const fixesPerMessage = (d: FleetDevice) =>
  d.kind === 'tracker' ? 3 : d.kind === 'collar-relay' ? 1 : 0;
