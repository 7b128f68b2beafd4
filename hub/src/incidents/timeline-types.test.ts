import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TIMELINE_TYPES } from './timeline-types.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));

/** The literal types passed to `record(...)` in this folder's sources (the dashboard must render each). */
function recordedTypes(): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/\brecord\(\s*(?:[\w.]+,\s*[\w.]+,\s*)?'([a-z-]+)'/g)) out.add(m[1]!);
  }
  return out;
}

describe('timeline types', () => {
  it('lists every type the incident code records (add a new one here and to the dashboard catalogues)', () => {
    const found = recordedTypes();
    expect(found.size).toBeGreaterThan(10); // the scan still finds the record calls
    expect([...found].filter((t) => !(TIMELINE_TYPES as readonly string[]).includes(t))).toEqual([]);
  });
});
