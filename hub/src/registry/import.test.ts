import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fastLeague } from '../api/test-support.ts';
import { type Db, openDatabase } from '../state/db.ts';
import { formatIssue } from './import-errors.ts';
import { importFile, importText } from './import.ts';
import { jsonRowLines } from './json-lines.ts';
import type { Registry } from './registry.ts';
import { openSqliteRegistry } from './sqlite-store.ts';

describe('registry import from files', () => {
  let dir: string;
  let db: Db;
  let store: Registry;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sl-import-'));
    db = openDatabase(join(dir, 'state.db'));
    store = openSqliteRegistry(db);
  });
  afterEach(() => {
    store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('locates the rows of a JSON document, whatever the strings hold', () => {
    const text =
      '{\n "units": [\n  {"id": "a", "name": {"zh": "[,{\\"x"}},\n  {"id": "b"}\n ],\n "devices": [], "people": [\n\n  {"id": "p"}]\n}';
    expect(Object.fromEntries(jsonRowLines(text))).toEqual({ 'units:0': 3, 'units:1': 4, 'people:0': 8 });
  });

  it('imports the league from a JSON file, idempotently', async () => {
    const path = join(dir, 'registry.json');
    writeFileSync(path, JSON.stringify(fastLeague(), null, 2));
    const first = await importFile(store, path);
    expect(first).toMatchObject({ ok: true, summary: { units: 10, devices: 9 }, warnings: [] });
    const rows = () =>
      db
        .prepare(
          'SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM devices) + (SELECT count(*) FROM person_roles)',
        )
        .pluck()
        .get();
    const before = rows();
    expect((await importFile(store, path)).ok).toBe(true);
    expect(rows()).toBe(before);
  });

  it('reports every bad row of a JSON file with its line, and writes nothing', async () => {
    const doc = fastLeague();
    doc.units[3]!.parent = '150899'; // no such banner
    (doc.devices[2] as { kind: string }).kind = 'radio';
    doc.people[0]!.roles[0]!.unit = 'nowhere';
    const path = join(dir, 'registry.json');
    const text = JSON.stringify(doc, null, 2);
    writeFileSync(path, text);
    const r = await importFile(store, path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = text.split('\n');
    expect(r.errors).toHaveLength(1); // schema errors first: the kind
    expect(lines[r.errors[0]!.line! - 1]).toMatch(/^\s{4}\{$/);
    expect(formatIssue(r.errors[0]!, 'registry.json')).toMatch(
      /^registry\.json:\d+ devices\[2\] stb-150824-104-0009 kind: Invalid option/,
    );
    (doc.devices[2] as { kind: string }).kind = 'settop';
    const r2 = await importText(store, JSON.stringify(doc, null, 2), { type: 'json' });
    expect(r2.ok ? [] : r2.errors.map((e) => `${e.section}[${e.index}] ${e.reason}`)).toEqual([
      'units[3] parent unit 150899 does not exist',
      'people[0] unit nowhere does not exist',
    ]);
    expect(db.prepare('SELECT count(*) FROM units').pluck().get()).toBe(0);
  });

  it('says what it cannot read', async () => {
    writeFileSync(join(dir, 'r.xlsx'), 'PK');
    expect(await importFile(store, join(dir, 'r.xlsx'))).toMatchObject({
      ok: false,
      errors: [{ reason: expect.stringMatching(/\.json or \.csv/) }],
    });
    expect(await importText(store, '{"units": [', { type: 'json' })).toMatchObject({
      ok: false,
      errors: [{ reason: expect.stringMatching(/not valid JSON/) }],
    });
  });
});
