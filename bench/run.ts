/**
 * `npm run bench [-- --json FILE] [-- --only ingest,sos]`: runs every benchmark in bench/ one
 * after another, prints one table (figure, value, reference measured in the same run, ratio,
 * target) and optionally writes it as JSON: [{ name, value, unit, reference, ratio, target, ok }].
 * Each bench module exports `run(): Promise<BenchResult[]>`. Benchmarks print progress on stderr.
 *
 * Each benchmark runs in a process of its own (this script with `--one NAME`), after the disks
 * have been synced: a latency figure must not pay for the heap or the dirty pages an earlier
 * throughput benchmark left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
  target: string;
  ok: boolean | null;
}

/** In the order they run: cheap and independent first. */
const SUITE = ['rules', 'ingest', 'sos', 'broadcast', 'connections', 'edge', 'scale'] as const;

const fmt = (x: number | null, digits = 2): string =>
  x === null || Number.isNaN(x) ? '—' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(digits);

export function formatTable(rows: readonly BenchResult[]): string {
  const head = ['figure', 'value', 'unit', 'reference', 'ratio', 'target', 'ok'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.value),
    r.unit,
    fmt(r.reference),
    fmt(r.ratio),
    r.target,
    r.ok === null ? '—' : r.ok ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

type BenchName = (typeof SUITE)[number];

/** Child side: runs one benchmark here and writes its rows to `out` as JSON. */
async function runOne(name: BenchName, out: string): Promise<never> {
  const mod = (await import(`./${name}.ts`)) as { run: () => Promise<BenchResult[]> };
  const rows = await mod.run();
  writeFileSync(
    out,
    JSON.stringify(rows.map((r) => ({ ...r, value: Number.isNaN(r.value) ? null : r.value }))),
  );
  // Benchmarks may leave sockets to a stopped broker half-closed; don't wait for them.
  process.exit(0);
}

/** Parent side: one benchmark in a fresh process, after a sync and a short settle. */
async function runIsolated(name: BenchName): Promise<BenchResult[]> {
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 1_000));
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-bench-'));
  const out = join(dir, 'rows.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--one', name, '--json', out],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`the ${name} benchmark exited with ${code}`);
    const rows = JSON.parse(readFileSync(out, 'utf8')) as (Omit<BenchResult, 'value'> & {
      value: number | null;
    })[];
    return rows.map((r) => ({ ...r, value: r.value ?? Number.NaN }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, only: { type: 'string' }, one: { type: 'string' } },
    allowPositionals: false,
  });
  if (values.one !== undefined) {
    if (!(SUITE as readonly string[]).includes(values.one) || !values.json) {
      console.error(`--one takes a bench name (${SUITE.join(', ')}) and --json FILE`);
      process.exit(2);
    }
    await runOne(values.one as BenchName, values.json);
  }
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
  const unknown = only ? [...only].filter((n) => !(SUITE as readonly string[]).includes(n)) : [];
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; choose from ${SUITE.join(', ')}`);
    process.exit(2);
  }
  const results: BenchResult[] = [];
  const started = Date.now();
  for (const name of SUITE) {
    if (only && !only.has(name)) continue;
    const t0 = Date.now();
    console.error(`bench: ${name} …`);
    try {
      const rows = await runIsolated(name);
      results.push(...rows);
      console.error(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    } catch (e) {
      console.error(`bench: ${name} failed: ${(e as Error).stack ?? e}`);
      results.push({
        name,
        value: Number.NaN,
        unit: 'error',
        reference: null,
        ratio: null,
        target: 'ran',
        ok: false,
      });
    }
  }
  console.log(formatTable(results));
  console.error(`bench: all done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (values.json) {
    const json = results.map((r) => ({ ...r, value: Number.isNaN(r.value) ? null : r.value }));
    writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
    console.error(`bench: wrote ${values.json}`);
  }
  // A missed target is a figure to read, not a crash; only a benchmark that failed to run exits 1.
  process.exit(results.some((r) => r.unit === 'error') ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
