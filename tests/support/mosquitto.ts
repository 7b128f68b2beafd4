import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

export interface MosquittoOptions {
  /** Port to listen on (default: a free ephemeral port); kept across restart(). */
  port?: number;
  /** Keep sessions and queued messages across restart() in a temp dir (default true). */
  persistence?: boolean;
  /** Path of the mosquitto binary (default /usr/sbin/mosquitto or $MOSQUITTO_BIN). */
  bin?: string;
  /** Extra lines for mosquitto.conf. */
  extraConfig?: string[];
}

export interface MosquittoHandle {
  url: string;
  port: number;
  /** Temp dir with the config, persistence file and log. */
  dir: string;
  /** Process id of the running broker (mosquitto is single-threaded: also its one task id). */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL after 5 s); the port stays reserved for restart(). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same config. */
  restart(): Promise<void>;
  /** Stops it and removes the temp dir. */
  close(): Promise<void>;
}

const DEFAULT_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

/**
 * Debian's mosquitto as a reference broker for tests and benchmarks: a generated config on a
 * free loopback port, anonymous access, persistence in a temp dir.
 */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const bin = opts.bin ?? DEFAULT_BIN;
  if (!existsSync(bin)) {
    throw new Error(
      `mosquitto not found at ${bin}: install Debian's mosquitto package (apt-get install mosquitto) or set MOSQUITTO_BIN.`,
    );
  }
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sl-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const persistence = opts.persistence ?? true;
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // run as whoever started the tests (as root, mosquitto would otherwise switch to user mosquitto
      // and lose access to the temp dir); ignored when not started as root
      `user ${userInfo().username}`,
      `persistence ${persistence}`,
      `persistence_location ${dir}/`,
      'autosave_interval 0',
      // queue generously so a test backlog is not silently dropped by the broker
      'max_queued_messages 1000000',
      'max_inflight_messages 100',
      `log_dest file ${join(dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;

  const launch = async () => {
    const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code) => reject(new Error(`mosquitto exited (code ${code}): ${stderr.trim()}`))),
    );
    exited.catch(() => {});
    child = c;
    await Promise.race([waitForPort(port), exited]);
  };

  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
