#!/usr/bin/env node
// Bundles the agent into one minified ESM file (dist/cli.mjs) for the device: no TypeScript
// loader at run time, so the process stays small (see bench/edge.ts, "edge rss").
// better-sqlite3 stays external (native addon). esbuild comes with tsx, a dependency of edge.
import { build } from 'esbuild';

const started = Date.now();
const result = await build({
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  outfile: new URL('../dist/cli.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked', // read only with --enable-source-maps; costs nothing otherwise
  legalComments: 'none',
  external: ['better-sqlite3'],
  // CommonJS dependencies bundled into ESM still call require() for node built-ins.
  banner: {
    js: "import { createRequire as __slRequire } from 'node:module'; const require = __slRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
process.stderr.write(`edge: built dist/cli.mjs in ${Date.now() - started} ms\n`);
