import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real InfluxDB 1.x server (Debian's `influxdb` package) for tests and benches: generated config
 * in a temp dir, HTTP on a free loopback port, nothing else listening, auth off. The caller must
 * `stop()` it; that also removes the temp dir.
 */
export interface InfluxdHandle {
  /** base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** temp dir holding config, meta, data, wal and influxd.log */
  dir: string;
  /** Stops the process for good and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the process (SIGKILL by default, like a crash) but keeps its data: the server is "down". */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same data (kills it first if it runs). */
  restart(): Promise<void>;
}

export interface InfluxdOptions {
  /** path of the influxd binary */
  bin?: string;
  /** how long to wait for /ping to answer 204 */
  startTimeoutMs?: number;
  /** how long SIGTERM may take before SIGKILL */
  stopTimeoutMs?: number;
}

const defaults = {
  bin: process.env.STEPPELINK_INFLUXD_BIN ?? '/usr/bin/influxd', // Debian's influxdb package
  startTimeoutMs: 30_000, // a cold start on a busy 2-core CI box takes a few seconds
  stopTimeoutMs: 10_000, // influxd flushes its WAL on SIGTERM; beyond this it is killed
} satisfies Required<InfluxdOptions>;

/** A free TCP port on loopback: listen on port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[retention]
  enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  flux-enabled = false

[logging]
  level = "warn"
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // a crashed test run must not leave influxd processes behind
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startInfluxd(options: InfluxdOptions = {}): Promise<InfluxdHandle> {
  const o = { ...defaults, ...options };
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-influxd-'));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const configPath = join(dir, 'influxdb.conf');
  writeFileSync(configPath, configText(dir, port, rpcPort));
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'influxd.log');
  let child: ChildProcess | undefined;
  let removed = false;
  installExitHook();

  const launch = async (): Promise<void> => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const proc = spawn(o.bin, ['-config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    child = proc;
    running.add(proc);
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      running.delete(proc);
    });
    proc.once('error', () => {
      exited = true;
    });
    const deadline = Date.now() + o.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exited) break;
      if (await ping(url)) return;
      await sleep(50);
    }
    proc.kill('SIGKILL');
    let tail = '';
    try {
      tail = readFileSync(logPath, 'utf8').slice(-2_000);
    } catch {}
    throw new Error(`influxd (${o.bin}) did not answer ${url}/ping with 204 in time; log tail:\n${tail}`);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc) return;
    proc.kill(signal);
    if (!(await waitExit(proc, o.stopTimeoutMs))) {
      proc.kill('SIGKILL');
      await waitExit(proc, o.stopTimeoutMs);
    }
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    port,
    dir,
    kill: (signal = 'SIGKILL') => halt(signal),
    restart: async () => {
      if (removed) throw new Error('influxd was stopped for good; start a new one with startInfluxd()');
      await halt('SIGTERM');
      await launch();
    },
    stop: async () => {
      await halt('SIGTERM');
      if (!removed) {
        removed = true;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
