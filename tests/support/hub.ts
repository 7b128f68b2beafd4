import { type ChildProcess, spawn } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createHub, type Hub, type HubOptions, silentLogger } from '@steppelink/hub';
import { DEMO_PASSWORD, deviceSecret, SMALL_LEAGUE } from '@steppelink/hub/testing';

export interface TestHub {
  hub: Hub;
  dataDir: string;
  mqttUrl: string;
  httpUrl: string;
  wsUrl: string;
  /** mqtts://… when the hub was started with `tls` */
  tlsUrl?: string;
  /** Closes the hub (if still running) and removes the data dir unless `keepData`. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * A real hub on 127.0.0.1, ephemeral ports, a fresh temp data dir, the SMALL_LEAGUE registry
 * imported and the SQLite telemetry store, unless `opts` say otherwise (pass `dataDir` to
 * restart on an existing one).
 */
export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<TestHub> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'steppelink-hub-'));
  const hub = createHub({
    registry: SMALL_LEAGUE,
    log: silentLogger(),
    ...opts,
    dataDir,
    host: '127.0.0.1',
    mqttPort: opts.mqttPort ?? 0,
    httpPort: opts.httpPort ?? 0,
  });
  const ports = await hub.start();
  return {
    hub,
    dataDir,
    mqttUrl: `mqtt://127.0.0.1:${ports.mqttPort}`,
    httpUrl: `http://127.0.0.1:${ports.httpPort}`,
    wsUrl: `ws://127.0.0.1:${ports.httpPort}/mqtt`,
    ...(ports.tlsPort ? { tlsUrl: `mqtts://127.0.0.1:${ports.tlsPort}` } : {}),
    async close(o = {}) {
      await hub.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Connect options of a registry device: username = client id = device id, password = its secret. */
export function deviceLogin(deviceId: string, extra: IClientOptions = {}): IClientOptions {
  return {
    clientId: deviceId,
    username: deviceId,
    password: deviceSecret(deviceId),
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...extra,
  };
}

/** Connects and resolves on CONNACK 0; rejects with the CONNACK error otherwise. */
export function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

/** The CONNACK return code a connection attempt gets (0 when accepted; the client is closed). */
export function connackCode(url: string, options: IClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    c.once('connect', () => {
      c.end(true);
      resolve(0);
    });
    c.once('error', (err) => {
      c.end(true);
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') resolve(code);
      else reject(err);
    });
  });
}

/** Resolves when `check` returns a value (not undefined), polling; never a timed assertion, the test timeout bounds it. */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  everyMs = 20,
): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function endClient(c: MqttClient): Promise<void> {
  return new Promise((resolve) => c.end(false, {}, () => resolve()));
}

/** Signs in through the API (bearer mode) and returns the token. */
export async function apiToken(httpUrl: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, mode: 'bearer' }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A JSON call to the hub's API (`/api` + `path`) with a bearer token: the status and the parsed body. */
export async function apiCall(
  httpUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${httpUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Signs in through the API (bearer mode) and returns a GET helper with that token. */
export async function apiAs(httpUrl: string, username: string, password = DEMO_PASSWORD) {
  const token = await apiToken(httpUrl, username, password);
  return async <T = unknown>(path: string): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as T };
  };
}

/**
 * Sends an MQTT 3.1.1 CONNECT written by hand over a raw socket and resolves with the CONNACK
 * return code (for CONNECTs mqtt.js refuses to send, e.g. an empty client id with clean=false).
 */
export function rawConnack(port: number, o: Parameters<typeof rawSession>[1]): Promise<number> {
  return rawSession(port, o).then(({ code, socket }) => {
    socket.destroy();
    return code;
  });
}

/** Like rawConnack, but leaves the connection open and silent (no PINGREQ): for keepalive tests. */
export function rawSession(
  port: number,
  o: {
    clientId: string;
    clean: boolean;
    username?: string;
    password?: string;
    keepaliveS?: number;
    /** connect from this loopback address (127.0.0.2 …): another client address for the hub */
    localAddress?: string;
  },
): Promise<{ code: number; socket: Socket }> {
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const flags =
    (o.username !== undefined ? 0x80 : 0) | (o.password !== undefined ? 0x40 : 0) | (o.clean ? 0x02 : 0);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepaliveS ?? 30);
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, flags]),
    keepalive,
    str(o.clientId),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ]);
  if (body.length > 127)
    throw new Error('rawSession: keep the CONNECT under 128 bytes (one-byte remaining length)');
  const packet = Buffer.concat([Buffer.from([0x10, body.length]), body]);
  return new Promise((resolve, reject) => {
    const s = netConnect(
      { port, host: '127.0.0.1', ...(o.localAddress ? { localAddress: o.localAddress } : {}) },
      () => s.write(packet),
    );
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      s.off('data', onData);
      s.off('close', onClose);
      if (buf[0] !== 0x20) reject(new Error(`expected CONNACK, got packet type 0x${buf[0]?.toString(16)}`));
      else resolve({ code: buf[3] as number, socket: s });
    };
    const onClose = () => reject(new Error('connection closed before CONNACK'));
    s.on('data', onData);
    s.once('error', reject);
    s.once('close', onClose);
  });
}

export interface HubProcess extends HubChild {
  mqttUrl: string;
  httpUrl: string;
}

/**
 * Runs the hub as `npm start` does (node --import tsx hub/src/main.ts) with STEPPELINK_* env on
 * ephemeral loopback ports; resolves once it prints where it listens.
 */
export function spawnHub(env: Record<string, string>): Promise<HubProcess> {
  return startHubProcess({ STEPPELINK_MQTT_PORT: '0', ...env }, 'before listening', (out) => {
    const mqttPort = /MQTT\s+mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1];
    const httpPort = /HTTP\s+http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
    return mqttPort && httpPort
      ? { mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, httpUrl: `http://127.0.0.1:${httpPort}` }
      : undefined;
  });
}

/** A hub child process: the process, its output so far, and its exit. */
export interface HubChild {
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx hub/src/main.ts` (what `npm start` runs) with loopback defaults, an
 * ephemeral HTTP port and `env`; resolves once `ready` finds what it waits for in the output
 * (stdout and stderr), and rejects if the hub exits first (`before` says before what).
 */
export function startHubProcess<T extends object>(
  env: Record<string, string>,
  before: string,
  ready: (output: string) => T | undefined,
): Promise<HubChild & T> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'hub/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      STEPPELINK_HOST: '127.0.0.1',
      STEPPELINK_HTTP_PORT: '0',
      STEPPELINK_LOG_LEVEL: 'warn',
      STEPPELINK_SIM: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const onData = () => {
      const found = ready(out);
      if (!found) return;
      child.stdout?.off('data', onData);
      resolve({ ...found, child, output: () => out, exited });
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(new Error(`hub exited (${code ?? signal}) ${before}:\n${out}`)),
    );
  });
}
