import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardAssetsDir, dashboardIsBuilt } from './index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Sources whose change makes a build stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'scripts/precompress.ts', 'package.json'];

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name.endsWith('.test.ts')) continue; // tests don't change the bundle
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when dist is missing or older than any source file. */
export function dashboardBuildIsStale(): boolean {
  const dir = dashboardAssetsDir();
  if (!dashboardIsBuilt(dir)) return true;
  const builtAt = statSync(join(dir, 'index.html')).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(root, s)) > builtAt);
}

/** Builds dashboard/dist with Vite (a few seconds). */
export async function buildDashboard(): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  return dashboardAssetsDir();
}

/** Builds only when dist is missing or stale; returns the assets directory. */
export async function ensureDashboardBuilt(): Promise<string> {
  if (dashboardBuildIsStale()) await buildDashboard();
  return dashboardAssetsDir();
}
