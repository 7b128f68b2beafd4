import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashCredential } from '../api/auth/credentials.ts';
import { verifySecret } from '../registry/secrets.ts';
import { shortMessageKey } from '@steppelink/protocols/short-message';
import { MessageKeys } from '../short-message/keys.ts';
import { openState } from './io.ts';
import { main } from '../cli.ts';

const BIN = resolve(import.meta.dirname, '../../bin/steppelink-hub.mjs');
const EXAMPLES = resolve(import.meta.dirname, '../../examples');

/** Runs the real command line in a child process. */
function run(args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Runs a command in this process (fast), capturing its output. */
async function runHere(args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    readStdin: async () => stdin,
    env: {},
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('steppelink-hub CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('imports the example registry and sheets, then adds a device whose secret is printed once', async () => {
    const env = { STEPPELINK_DATA_DIR: dir };
    const json = await run(['import', join(EXAMPLES, 'registry.example.json')], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toMatch(/imported 5 units, 2 households, 1 teams, 4 devices, 3 people/);
    expect(json.stdout).toBe('');
    for (const sheet of ['households', 'devices']) {
      const r = await runHere(['import', join(EXAMPLES, `${sheet}.example.csv`), '--data-dir', dir]);
      expect(r.code, r.stderr).toBe(0);
    }
    const add = await run(
      [
        'device',
        'add',
        '--id',
        'stb-150824-104-0031',
        '--kind',
        'settop',
        '--household',
        'hh-150824-104-0010',
        '--label',
        '新机顶盒',
      ],
      { env },
    );
    expect(add.code, add.stderr).toBe(0);
    const secret = add.stdout.trim();
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(add.stderr).toMatch(/shown once/);
    const state = openState(dir);
    try {
      const d = state.registry.getDevice('stb-150824-104-0031')!;
      expect(d).toMatchObject({
        kind: 'settop',
        household: 'hh-150824-104-0010',
        label: '新机顶盒',
        enabled: true,
      });
      expect(d.secretHash).toMatch(/^hmac-sha256\$/); // under the hub key, as the hub checks it
      expect(await verifySecret(secret, d.secretHash!, state.registry.deviceKey)).toBe(true);
      // the SOS short-message key of that secret, ready before the box first connects (#27)
      const key = MessageKeys.open(state.db, dir).get('stb-150824-104-0031');
      expect(key?.equals(shortMessageKey(secret))).toBe(true);
      expect(state.registry.getHousehold('hh-150824-104-0007')?.pasture).toBeDefined(); // the sheet kept it
    } finally {
      state.close();
    }
    const again = await runHere([
      'device',
      'add',
      '--id',
      'stb-150824-104-0031',
      '--kind',
      'settop',
      '--household',
      'hh-150824-104-0010',
      '--data-dir',
      dir,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; rotate its secret with: steppelink-hub device secret/);
  });

  it('prints every bad row with file and line and exits 1, changing nothing', async () => {
    expect((await runHere(['import', join(EXAMPLES, 'registry.example.json'), '--data-dir', dir])).code).toBe(
      0,
    );
    const csv = join(dir, 'devices.csv');
    writeFileSync(
      csv,
      '设备编号,类型,户编号\nstb-150824-104-0040,settop,hh-150824-104-0007\nstb-150824-104-0041,电视,hh-150824-104-0007\nstb-150824-104-0042,settop,hh-nobody\n',
    );
    const r = await run(['import', csv, '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith(csv))).toEqual([
      expect.stringMatching(new RegExp(`^${csv}:3 devices\\[1\\] stb-150824-104-0041 kind: Invalid option`)),
    ]);
    writeFileSync(
      csv,
      '设备编号,类型,户编号\nstb-150824-104-0040,settop,hh-150824-104-0007\nstb-150824-104-0042,settop,hh-nobody\n',
    );
    const r2 = await runHere(['import', csv, '--data-dir', dir]);
    expect(r2.stderr).toMatch(
      `${csv}:3 devices[1] stb-150824-104-0042 household: household hh-nobody does not exist`,
    );
    expect(r2.stderr).toMatch(/1 problem\(s\); nothing was imported/);
    const state = openState(dir);
    expect(state.registry.getDevice('stb-150824-104-0040')).toBeUndefined();
    state.close();
  });

  it('rotates a secret, disables a device, sets a password from stdin and creates a token', async () => {
    expect((await runHere(['import', join(EXAMPLES, 'registry.example.json'), '--data-dir', dir])).code).toBe(
      0,
    );
    const rot = await runHere(['device', 'secret', 'stb-150824-104-0009', '--data-dir', dir]);
    expect(rot.code).toBe(0);
    expect((await runHere(['device', 'disable', 'stb-150824-104-0009', '--data-dir', dir])).code).toBe(0);
    expect((await runHere(['device', 'secret', 'stb-nope', '--data-dir', dir])).code).toBe(1);

    const pw = await run(['person', 'passwd', 'bater', '--data-dir', dir], { stdin: 'dune-and-snow-2025\n' });
    expect(pw.code, pw.stderr).toBe(0);
    expect(pw.stderr).not.toContain('dune-and-snow-2025');
    expect((await runHere(['person', 'passwd', 'bater', '--data-dir', dir], 'short\n')).code).toBe(1);

    const tok = await runHere([
      'token',
      'create',
      '--person',
      'p-saren',
      '--label',
      '旗指挥大屏',
      '--days',
      '90',
      '--data-dir',
      dir,
    ]);
    expect(tok.code, tok.stderr).toBe(0);
    expect(tok.stdout).toMatch(/^slt_[\w-]{43}$/);

    const state = openState(dir);
    try {
      const d = state.registry.getDevice('stb-150824-104-0009')!;
      expect(d.enabled).toBe(false);
      expect(await verifySecret(rot.stdout, d.secretHash!, state.registry.deviceKey)).toBe(true);
      expect(
        await verifySecret('dune-and-snow-2025', state.registry.personByUsername('bater')!.passwordHash!),
      ).toBe(true);
      const row = state.db.prepare('SELECT person, label, hash FROM api_tokens').get() as {
        person: string;
        label: string;
        hash: string;
      };
      expect(row).toEqual({ person: 'p-saren', label: '旗指挥大屏', hash: hashCredential(tok.stdout) });
    } finally {
      state.close();
    }
  });

  it('explains usage mistakes with exit code 2', async () => {
    const none = await runHere([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage: steppelink-hub/);
    expect((await runHere(['device', 'launch', '--data-dir', dir])).stderr).toMatch(
      /unknown command "device launch"/,
    );
    expect((await runHere(['import', 'a.json', '--colour', 'red'])).code).toBe(2);
    const kind = await runHere([
      'device',
      'add',
      '--id',
      'x-1',
      '--kind',
      'radio',
      '--household',
      'h',
      '--data-dir',
      dir,
    ]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind is one of settop, tracker, collar-relay, sensor/);
    expect(
      (await runHere(['device', 'add', '--id', 'x-1', '--kind', 'settop', '--data-dir', dir])).stderr,
    ).toMatch(/either --household HH or --team TEAM/);
  });
});
