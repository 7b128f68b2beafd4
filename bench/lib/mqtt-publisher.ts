/**
 * Child process: the publisher harness of bench/ingest. Connects one mqtt.js client per device
 * (as the edge agent does), pre-encodes every message, then on 'go' publishes at QoS 1 keeping
 * `inflight` messages outstanding per device, and reports when every message has its PUBACK.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { monotonicFactory } from 'ulid';
import type { FleetDevice } from './fleet.ts';
import { message } from './fleet.ts';

export type PublisherIn =
  | { type: 'start'; url: string; devices: FleetDevice[]; perDevice: number; inflight: number; auth: boolean }
  | { type: 'go' };
export type PublisherOut =
  | { type: 'ready'; connectMs: number }
  | {
      type: 'done';
      acked: number;
      errors: number;
      elapsedMs: number;
      ackP50Ms: number;
      ackP99Ms: number;
      /** CPU time of this process from 'go' to the last PUBACK, µs */
      cpuUs: number;
    }
  | { type: 'failed'; error: string };

const clients: MqttClient[] = [];
let plan: { client: MqttClient; msgs: { topic: string; payload: Buffer }[] }[] = [];
let cfg: Extract<PublisherIn, { type: 'start' }>;

const send = (m: PublisherOut) => process.send?.(m);

function connectAll(c: Extract<PublisherIn, { type: 'start' }>): Promise<void> {
  let next = 0;
  const one = (): Promise<void> => {
    const d = c.devices[next++];
    if (!d) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const client = mqtt.connect(c.url, {
        clientId: d.id,
        ...(c.auth ? { username: d.id, password: d.password } : {}),
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        keepalive: 60,
      });
      client.once('connect', () => {
        clients.push(client);
        resolve();
      });
      client.once('error', reject);
    }).then(one);
  };
  return Promise.all(Array.from({ length: 20 }, one)).then(() => undefined);
}

function go(): void {
  const total = plan.length * cfg.perDevice;
  const latencies = new Float64Array(total);
  let acked = 0;
  let errors = 0;
  let li = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const p of plan) {
    let sent = 0;
    const pump = () => {
      const m = p.msgs[sent++];
      if (!m) return;
      const at = performance.now();
      p.client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
        if (err) errors++;
        else latencies[li++] = performance.now() - at;
        acked++;
        if (acked === total) {
          const sorted = latencies.slice(0, li).sort();
          const cpu = process.cpuUsage(cpu0);
          send({
            cpuUs: cpu.user + cpu.system,
            type: 'done',
            acked: acked - errors,
            errors,
            elapsedMs: performance.now() - t0,
            ackP50Ms: sorted[Math.floor(li * 0.5)] ?? Number.NaN,
            ackP99Ms: sorted[Math.floor(li * 0.99)] ?? Number.NaN,
          });
        } else pump();
      });
    };
    for (let i = 0; i < cfg.inflight; i++) pump();
  }
}

process.on('message', (m: PublisherIn) => {
  if (m.type === 'start') {
    cfg = m;
    const t = performance.now();
    connectAll(m)
      .then(() => {
        plan = clients.map((client, i) => {
          const d = m.devices.find((x) => x.id === client.options.clientId) ?? m.devices[i]!;
          const ids = monotonicFactory();
          return { client, msgs: Array.from({ length: m.perDevice }, (_, n) => message(d, n + 1, ids)) };
        });
        send({ type: 'ready', connectMs: performance.now() - t });
      })
      .catch((e: Error) => send({ type: 'failed', error: e.message }));
  } else if (m.type === 'go') go();
});
process.on('SIGTERM', () => {
  for (const c of clients) c.end(true);
  process.exit(0);
});
