import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Files worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|json|svg|html|txt|map)$/;
/** Below this a compressed copy saves less than its headers cost (hono's compress uses the same). */
const MIN_BYTES = 1024;

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of the build, at
 * the highest levels (done once per build, not per request). The hub's static handler sends the
 * copy the browser accepts (`serveStatic({ precompressed: true })`), brotli first.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'steppelink-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = join(c.root, c.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (COMPRESSIBLE.test(name) && statSync(path).size >= MIN_BYTES) {
            const body = readFileSync(path);
            writeFileSync(
              `${path}.br`,
              brotliCompressSync(body, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                  [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
                },
              }),
            );
            writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}
