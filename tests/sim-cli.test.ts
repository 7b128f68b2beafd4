import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryDocumentSchema } from '@steppelink/hub';

const BIN = new URL('../hub/bin/steppelink-sim.mjs', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('steppelink-sim command line', () => {
  it('refuses bad sizes with a usage line and exit code 2', () => {
    const r = run('--households', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--households must be 1..200000');
    expect(r.stderr).toContain('usage: steppelink-sim');
  });

  it('writes the league it would run as an importable registry document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-sim-cli-'));
    try {
      const out = join(dir, 'league.json');
      const r = run('--households', '12', '--registry-out', out, '--no-run');
      expect(r.status).toBe(0);
      const doc = registryDocumentSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      expect(doc.households).toHaveLength(12);
      expect(r.stderr).toContain('league of 12 households');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
