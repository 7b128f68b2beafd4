import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIncidentsModule } from '@steppelink/hub';
import { SMALL_LEAGUE } from '@steppelink/hub/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signInCookies } from './security/support.ts';
import { startTestHub, type TestHub } from './support/hub.ts';

/**
 * Issue #24, "Import is complete or refuses" (defect 2): every section of the registry document,
 * rosters included, goes through the one import path of `steppelink-hub import`,
 * `POST /api/registry/import` and the file imported at start; a section the hub does not know is
 * refused with its name, and nothing of that document is written. Through the real interfaces: the
 * CLI as a child process, the API over HTTP, a hub started on the file.
 */
const BIN = new URL('../hub/bin/steppelink-hub.mjs', import.meta.url).pathname;
const GRID = '150824-104-007-03';
/** A second grid worker for 巴特尔's grid, and the daily rotation the two of them keep. */
const TUMEN = {
  id: 'p-tumen',
  name: '图们',
  phone: '13904785566',
  lang: 'mn',
  roles: [{ role: 'grid-worker', unit: GRID }],
};
const ROTATION = {
  unit: GRID,
  role: 'grid-worker',
  period: 'daily',
  handover: '08:00',
  startDate: '2026-12-01',
  members: ['p-bater', 'p-tumen'],
};
const ROSTERED = { people: [TUMEN], rosters: { rotations: [ROTATION], overrides: [] } };
/** The same, with the section misspelt: nothing of it may be written. */
const MISSPELT = { people: [TUMEN], roster: { rotations: [ROTATION] } };

function cli(args: string[], dataDir: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, STEPPELINK_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('registry import: every section or nothing (issue #24)', () => {
  let dir: string;
  let th: TestHub | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-sections-'));
  });
  afterEach(async () => {
    await th?.close();
    th = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(doc, null, 2));
    return path;
  };
  const start = (opts: Parameters<typeof startTestHub>[0] = {}) =>
    startTestHub({ modules: [createIncidentsModule({ jobs: false })], ...opts });
  /** The rotations of 巴特尔's grid, as the duty API shows them to the banner's duty officer. */
  const rotations = async (hub: TestHub) => {
    const { session } = await signInCookies(hub.httpUrl, 'saren');
    const r = await fetch(`${hub.httpUrl}/api/rosters?unit=${GRID}`, { headers: { cookie: session } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { rotations: { unit: string; members: string[] }[] }).rotations;
  };
  const importOverHttp = async (hub: TestHub, doc: unknown) => {
    const { session } = await signInCookies(hub.httpUrl, 'liming'); // admin of the league
    const r = await fetch(`${hub.httpUrl}/api/registry/import`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json' },
      body: JSON.stringify(doc),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('steppelink-hub import writes the rosters section; a hub started on that data dir rosters by it', async () => {
    const data = join(dir, 'data');
    const r = await cli(
      [
        'import',
        file('league.json', { ...SMALL_LEAGUE, ...ROSTERED, people: [...SMALL_LEAGUE.people, TUMEN] }),
      ],
      data,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/imported .*11 people, 1 rotations from /);
    th = await start({ dataDir: data, registry: undefined });
    expect(await rotations(th)).toEqual([
      expect.objectContaining({ unit: GRID, members: ['p-bater', 'p-tumen'] }),
    ]);
  });

  it('steppelink-hub import refuses an unknown section by name, and writes nothing of that document', async () => {
    const data = join(dir, 'data');
    expect((await cli(['import', file('league.json', SMALL_LEAGUE)], data)).code).toBe(0);
    const r = await cli(['import', file('misspelt.json', MISSPELT)], data);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /unknown section "roster": a registry document has only units, households, teams, devices, people, rosters/,
    );
    expect(r.stderr).toMatch(/nothing was imported/);
    th = await start({ dataDir: data, registry: undefined });
    expect(th.hub.registry.getPerson('p-tumen')).toBeUndefined();
    expect(await rotations(th)).toEqual([]);
  });

  it('POST /api/registry/import writes the rosters section, and refuses an unknown one', async () => {
    th = await start();
    const refused = await importOverHttp(th, MISSPELT);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/unknown section \\"roster\\"/);
    expect(th.hub.registry.getPerson('p-tumen')).toBeUndefined();
    const ok = await importOverHttp(th, ROSTERED);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.summary).toMatchObject({ people: 1, rotations: 1, overrides: 0 });
    expect(await rotations(th)).toEqual([
      expect.objectContaining({ unit: GRID, members: ['p-bater', 'p-tumen'] }),
    ]);
  });

  it('POST /api/registry/import refuses rosters for units the admin does not administer', async () => {
    th = await start();
    // an admin of the other banner (Urad Rear) may not set who is paged in a grid of Urad Middle
    const rearAdmin = {
      id: 'p-rear-admin',
      name: '高娃',
      roles: [{ role: 'admin', unit: '150825' }],
      login: { username: 'gaowa', password: 'urad-rear-admin-2026' },
    };
    expect((await importOverHttp(th, { people: [rearAdmin] })).status).toBe(200);
    const { session } = await signInCookies(th.httpUrl, 'gaowa', { password: 'urad-rear-admin-2026' });
    const r = await fetch(`${th.httpUrl}/api/registry/import`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json' },
      body: JSON.stringify({
        rosters: { rotations: [{ ...ROTATION, members: ['p-bater'] }], overrides: [] },
      }),
    });
    expect(r.status).toBe(403);
    const body = (await r.json()) as { error: { issues: { path: unknown[]; message: string }[] } };
    expect(body.error.issues).toEqual([
      expect.objectContaining({
        path: ['rosters', 0, 'rotations.0.unit'],
        message: expect.stringMatching(/outside the units you administer/),
      }),
    ]);
    expect(await rotations(th)).toEqual([]);
  });

  it('the registry file imported at start writes its rosters, and a file with an unknown section stops the start', async () => {
    const good = file('league.json', {
      ...SMALL_LEAGUE,
      ...ROSTERED,
      people: [...SMALL_LEAGUE.people, TUMEN],
    });
    th = await start({ registry: undefined, registryFile: good });
    expect(await rotations(th)).toEqual([expect.objectContaining({ members: ['p-bater', 'p-tumen'] })]);
    await th.close();
    th = undefined;
    const bad = file('misspelt.json', { ...SMALL_LEAGUE, ...MISSPELT });
    await expect(start({ registry: undefined, registryFile: bad })).rejects.toThrow(
      /unknown section "roster"/,
    );
  });
});
