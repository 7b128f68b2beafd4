/**
 * A swarm of light MQTT 3.1.1 clients (raw sockets + mqtt-packet, a few KB each) in its own
 * process, for connection storms and fan-out measurements with tens of thousands of devices,
 * where one mqtt.js client per device would measure the load generator, not the broker.
 * Driven over IPC by bench/lib/swarm.ts.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import mqttPacket from 'mqtt-packet';

export interface SwarmDevice {
  id: string;
  password?: string;
  topics: string[];
}
export type SwarmIn =
  | { type: 'connect'; host: string; port: number; devices: SwarmDevice[]; concurrency: number }
  | { type: 'expect'; marker: string }
  | { type: 'close' };
export type SwarmOut =
  | { type: 'progress'; connected: number; total: number }
  | { type: 'connected'; connected: number; failed: number; firstError: string | null; ms: number }
  | { type: 'received'; count: number; firstAt: number; lastAt: number };

const sockets: Socket[] = [];
let marker: string | null = null;
let received = 0;
let expected = 0;
let firstAt = 0;
let lastAt = 0;
const now = () => performance.timeOrigin + performance.now();
const send = (m: SwarmOut) => process.send?.(m);

function connectOne(host: string, port: number, d: SwarmDevice): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host, port, noDelay: true });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let subscribed = false;
    const fail = (e: Error) => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(60_000, () => fail(new Error('timeout')));
    sock.on('error', fail);
    sock.on('data', (b) => parser.parse(b));
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') {
        if (p.returnCode !== 0) return fail(new Error(`CONNACK ${p.returnCode}`));
        if (d.topics.length === 0) return done();
        sock.write(
          mqttPacket.generate({
            cmd: 'subscribe',
            messageId: 1,
            subscriptions: d.topics.map((topic) => ({ topic, qos: 1 })),
          }),
        );
      } else if (p.cmd === 'suback' && !subscribed) {
        subscribed = true;
        done();
      } else if (p.cmd === 'publish') {
        if (p.qos === 1 && p.messageId !== undefined)
          sock.write(mqttPacket.generate({ cmd: 'puback', messageId: p.messageId }));
        if (marker && Buffer.from(p.payload).includes(marker)) {
          const t = now();
          if (received === 0) firstAt = t;
          received++;
          lastAt = t;
          if (received === expected) send({ type: 'received', count: received, firstAt, lastAt });
        }
      }
    });
    const done = () => {
      sock.setTimeout(0);
      sockets.push(sock);
      resolve();
    };
    sock.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        clientId: d.id,
        keepalive: 0,
        ...(d.password ? { username: d.id, password: Buffer.from(d.password) } : {}),
      }),
    );
  });
}

process.on('message', async (m: SwarmIn) => {
  if (m.type === 'connect') {
    const t0 = now();
    let next = 0;
    let connected = 0;
    let failed = 0;
    let firstError: string | null = null;
    let lastReport = 0;
    const worker = async () => {
      while (next < m.devices.length) {
        const d = m.devices[next++]!;
        try {
          await connectOne(m.host, m.port, d);
          connected++;
        } catch (e) {
          failed++;
          firstError ??= (e as Error).message;
        }
        if (connected - lastReport >= 2000) {
          lastReport = connected;
          send({ type: 'progress', connected, total: m.devices.length });
        }
      }
    };
    await Promise.all(Array.from({ length: m.concurrency }, worker));
    expected = connected;
    send({ type: 'connected', connected, failed, firstError, ms: now() - t0 });
  } else if (m.type === 'expect') {
    marker = m.marker;
    received = 0;
  } else if (m.type === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
