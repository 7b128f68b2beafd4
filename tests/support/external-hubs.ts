import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { apiAs, type HubChild, startHubProcess, until } from './hub.ts';

export interface ExternalHubProcess extends HubChild {
  httpUrl: string;
}

/**
 * Runs the hub as `npm start` does (node --import tsx hub/src/main.ts) in external broker mode
 * (STEPPELINK_BROKER=external plus `env`), HTTP on an ephemeral loopback port; resolves once it
 * prints that it consumes through the broker and where its HTTP API listens.
 */
export function spawnExternalHub(env: Record<string, string>): Promise<ExternalHubProcess> {
  return startHubProcess({ STEPPELINK_BROKER: 'external', ...env }, 'before it was running', (out) => {
    const httpPort = /HTTP\s+http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
    return httpPort && /MQTT\s+through the broker/.test(out)
      ? { httpUrl: `http://127.0.0.1:${httpPort}` }
      : undefined;
  });
}

/** SIGKILLs a hub process (no shutdown at all) and waits for it to be gone. */
export async function killHub(h: ExternalHubProcess): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.child.kill('SIGKILL');
  await h.exited;
}

/** Stops a hub process gracefully (SIGTERM) and returns its exit. */
export async function stopHub(h: ExternalHubProcess): Promise<{ code: number | null }> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return { code: h.child.exitCode };
  h.child.kill('SIGTERM');
  return h.exited;
}

/**
 * The message ids a hub's state.db holds in its inbox, per sender, counted (read-only; safe
 * while the hub runs, WAL mode). Each (sender, id) is stored at most once by construction, so a
 * count above 1 across several hubs' inboxes means two hubs took the same message.
 */
export function inboxIds(stateDb: string): Map<string, number> {
  const db = new Database(stateDb, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT sender, msg_id AS id FROM inbox').all() as {
      sender: string;
      id: string;
    }[];
    const out = new Map<string, number>();
    for (const r of rows) out.set(`${r.sender}|${r.id}`, (out.get(`${r.sender}|${r.id}`) ?? 0) + 1);
    return out;
  } finally {
    db.close();
  }
}

// Devices of SMALL_LEAGUE streaming position fixes with unique ids (the tests' registry).
const T = 1_764_028_800_000;
export const DEVICES = [
  'trk-patrol-150825-03',
  'stb-150824-104-0007',
  'stb-150824-104-0008',
  'stb-150825-201-0021',
];

const fix = (deviceId: string, tag: string, n: number) =>
  encodeOrThrow('pos', {
    v: 1,
    id: `${deviceId}:${tag}:${n}`,
    ts: T + n * 1_000 + 200,
    t0: T + n * 1_000,
    src: 'gpsd',
    fixes: [
      [0, Number((41.8 + n * 1e-5).toFixed(6)), Number((106.9 + n * 1e-5).toFixed(6)), 1320, 1, 4.2, 45],
    ],
  });

/** Devices streaming QoS 1 to the broker, 20 in flight each; `acked` holds every id the broker acknowledged. */
export function stream(url: string, tag: string) {
  const acked = new Set<string>();
  let running = true;
  const clients: MqttClient[] = DEVICES.map((deviceId) => {
    const c = mqtt.connect(url, { clientId: deviceId, clean: false, reconnectPeriod: 200 });
    let n = 0;
    let inFlight = 0;
    const pump = () => {
      while (running && inFlight < 20) {
        const i = ++n;
        inFlight++;
        c.publish(upTopic(deviceId, 'pos'), fix(deviceId, tag, i), { qos: 1 }, (err) => {
          inFlight--;
          if (!err) acked.add(`${deviceId}|${deviceId}:${tag}:${i}`);
          pump();
        });
      }
    };
    c.once('connect', pump);
    c.on('error', () => {});
    return c;
  });
  return {
    acked,
    count: () => acked.size,
    async stop() {
      running = false;
      // the last in-flight publishes settle (acknowledged by the broker) before the snapshot
      await until(() =>
        clients.every((c) => !c.connected || Object.keys(c.outgoing).length === 0) ? true : undefined,
      );
      await Promise.all(clients.map((c) => new Promise<void>((r) => c.end(false, {}, () => r()))));
      return new Set(acked);
    },
  };
}

/** The broker component of a hub's /api/health (external broker mode), read as a signed-in admin. */
export interface ExternalBrokerHealth {
  clientId: string;
  connection: string;
  connections: { clientId: string; state: string; connects: number }[];
  consumed: number;
  inFlight: number;
  peakInFlight: number;
  adopted?: { clientId: string; state: string; drained: number; error?: string }[];
}
const signedIn = new WeakMap<ExternalHubProcess, ReturnType<typeof apiAs>>();
/** (Signs in once per hub process: a sign-in hashes a password, slow on a loaded machine.) */
export async function brokerHealth(h: ExternalHubProcess): Promise<ExternalBrokerHealth> {
  if (!signedIn.has(h)) signedIn.set(h, apiAs(h.httpUrl, 'liming'));
  const get = await (signedIn.get(h) as ReturnType<typeof apiAs>);
  const r = await get<{ components: { broker: ExternalBrokerHealth } }>('/api/health');
  return r.body.components.broker;
}
