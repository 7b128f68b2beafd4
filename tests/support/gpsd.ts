import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, waitForPort } from './ports.ts';

export interface GpsfakeOptions {
  /** NMEA 0183 log file to replay. */
  log: string;
  /** gpsd port (default: a free ephemeral port). */
  port?: number;
  /** Seconds between sentences (gpsfake -c); default 0.05. */
  cycleS?: number;
  /** Replay once and stop (default true); false loops the log. */
  once?: boolean;
}

export interface GpsfakeHandle {
  host: string;
  port: number;
  /** Stops gpsfake and the gpsd it started. */
  stop(): Promise<void>;
}

const PYTHON = '/usr/bin/python3';
const GPSFAKE = process.env.GPSFAKE_BIN ?? '/usr/bin/gpsfake';

/**
 * A real gpsd fed by Debian's gpsfake from an NMEA log, on a free loopback port. gpsfake starts
 * gpsd (from /usr/sbin) on a pseudo-tty and writes the log into it, one sentence per cycle.
 */
export async function startGpsfake(opts: GpsfakeOptions): Promise<GpsfakeHandle> {
  for (const f of [PYTHON, GPSFAKE, '/usr/sbin/gpsd']) {
    if (!existsSync(f)) throw new Error(`${f} not found: install Debian's gpsd and gpsd-clients packages.`);
  }
  const port = opts.port ?? (await freePort());
  const args = [GPSFAKE, '-q', '-P', String(port), '-c', String(opts.cycleS ?? 0.05)];
  if (opts.once ?? true) args.push('-1');
  args.push(opts.log);
  const env = { ...process.env, PATH: `/usr/sbin:/usr/bin:${process.env.PATH ?? ''}` };
  const child: ChildProcess = spawn(PYTHON, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`gpsfake exited early (code ${code}): ${stderr.trim()}`))),
  );
  exited.catch(() => {});
  await Promise.race([waitForPort(port, '127.0.0.1', 15_000), exited]);
  return {
    host: '127.0.0.1',
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
        const t = setTimeout(() => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {}
        }, 5_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        // gpsfake runs in its own process group with its gpsd; end the group we started.
        try {
          process.kill(-(child.pid as number), 'SIGTERM');
        } catch {
          resolve();
        }
      }),
  };
}
