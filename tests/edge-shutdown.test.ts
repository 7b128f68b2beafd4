import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '@steppelink/edge/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.ts';
import { openPty, type PtyHandle } from './support/pty.ts';

// Issue 21 defect 5: SIGTERM while a serial GPS is silent. The agent runs as its own process (the
// CLI, as systemd starts it) reading NMEA from a real pty that never sends a byte, or from a FIFO
// with no writer; SIGTERM must end it cleanly, not leave it blocked in a read until systemd's
// TimeoutStopSec and a SIGKILL.

const dir = mkdtempSync(join(tmpdir(), 'sl-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How long the test waits for the exit before it calls the agent hung (systemd waits 20 s). */
const STOP_GUARD_MS = 15_000;

async function runAndStop(nmeaPath: string, deviceId: string): Promise<CliProcess> {
  const agent = new CliProcess(
    CliProcess.writeConfig(dir, {
      deviceId,
      secret: `${deviceId}-secret`,
      hubUrls: [`mqtt://127.0.0.1:${await freePort()}`], // nobody listens: the link keeps retrying
      outbox: { path: join(dir, `${deviceId}.db`) },
      http: { port: 0 },
      inputs: [{ type: 'nmea', path: nmeaPath }],
      log: { level: 'info' },
    }),
  );
  await agent.waitFor(() => agent.log.some((l) => l.msg === 'agent.started'), 'the agent to start');
  const code = await Promise.race([
    agent.stop(),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), STOP_GUARD_MS).unref()),
  ]);
  if (code === 'hung') await agent.kill();
  expect(code, 'exit code after SIGTERM (hung = still running after the guard)').toBe(0);
  expect(agent.log.some((l) => l.msg === 'agent.closed')).toBe(true);
  return agent;
}

describe('SIGTERM with a silent serial input (agent process)', () => {
  let pty: PtyHandle | undefined;
  afterAll(async () => {
    await pty?.close();
  });

  it(
    'exits cleanly while reading a pty that sends nothing',
    async () => {
      pty = await openPty();
      await runAndStop(pty.path, 'trk-patrol-150825-03');
    },
    STOP_GUARD_MS + 30_000,
  );

  it(
    'exits cleanly while reading a FIFO no one writes to',
    async () => {
      const fifo = join(dir, 'gps.fifo');
      execFileSync('mkfifo', [fifo]);
      await runAndStop(fifo, 'trk-patrol-150825-04');
    },
    STOP_GUARD_MS + 30_000,
  );
});
