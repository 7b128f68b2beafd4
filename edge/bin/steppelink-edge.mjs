#!/usr/bin/env node
// SteppeLink edge agent. Runs the bundled build (dist/cli.mjs, `npm run build -w edge`) when it is
// at least as new as the sources; otherwise the TypeScript sources through tsx (development; the
// tsx loader costs ~60 MB more RSS, too much for a Pi-class board).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'cli.mjs');

function newestMtimeMs(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtimeMs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  if (process.env.STEPPELINK_EDGE_FROM_SOURCE === '1' || !existsSync(dist)) return false;
  const sources = [
    join(here, '..', 'src'),
    dirname(fileURLToPath(import.meta.resolve('@steppelink/protocols'))),
  ];
  return statSync(dist).mtimeMs >= Math.max(...sources.map(newestMtimeMs));
}

let main;
if (distIsFresh()) {
  ({ main } = await import(dist));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}

const stopSignal = new Promise((resolve) => {
  for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => resolve(sig));
});
process.on('uncaughtException', (error) => {
  // The outbox is durable; exiting lets systemd restart a clean process.
  process.stderr.write(
    `${JSON.stringify({ t: Date.now(), level: 'error', msg: 'uncaught', error: String(error?.stack ?? error) })}\n`,
  );
  process.exit(1);
});
const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stopSignal,
});
process.exit(code);
