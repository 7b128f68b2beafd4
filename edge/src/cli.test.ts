import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], stop: Promise<string> = Promise.resolve('test')) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), stopSignal: stop });
  return { code, out, err };
}
const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const good = {
  deviceId: 'stb-150824-104-0007',
  secret: 'qiqige-0007-secret',
  hubUrls: ['mqtt://127.0.0.1:1'],
  units: ['150824'],
  outbox: { path: join(dir, 'outbox.db') },
  http: { port: 0 },
  log: { level: 'warn' },
};

describe('steppelink-edge CLI', () => {
  it('validates a configuration with --check', async () => {
    const r = await run(['--config', write('edge.json', good), '--check']);
    expect(r).toMatchObject({
      code: 0,
      out: expect.stringMatching(/OK \(device stb-150824-104-0007, 1 hub URL/),
    });
  });

  it('names every bad field and exits 2', async () => {
    const r = await run(['-c', write('bad.json', { ...good, hubUrls: [], http: { host: '0.0.0.0' } })]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.json: hubUrls: needs at least one hub URL');
    expect(r.err).toContain('bad.json: http.host: must be a loopback address');
  });

  it('explains usage errors', async () => {
    expect((await run([])).err).toMatch(/--config is required/);
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['--version'])).out).toBe('0.1.0\n');
    expect((await run(['--config', write('lvl.json', good), '--log-level', 'loud'])).code).toBe(2);
  });

  it('reports an unusable outbox path', async () => {
    const blocker = write('not-a-dir', 'x');
    const r = await run([
      '-c',
      write('outbox.json', { ...good, outbox: { path: join(blocker, 'outbox.db') } }),
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/Cannot open the outbox at .*not-a-dir/);
  });

  it('starts, keeps running until told to stop, and shuts down cleanly', async () => {
    // The stop signal is already there: main still starts fully before it looks at it.
    const r = await run(
      ['-c', write('run.json', { ...good, log: { level: 'info' } })],
      Promise.resolve('SIGTERM'),
    );
    expect(r.code).toBe(0);
    const msgs = r.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toContain('agent.started');
    expect(msgs.at(-1)).toBe('agent.closed');
  });
});
