import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node-side entry of the dashboard package: where the built web app is. The hub serves these
 * files at `/` (index.html for every non-API path the app routes itself). Build with
 * `npm run build -w dashboard`, or `ensureDashboardBuilt()` from `@steppelink/dashboard/build`.
 */
export function dashboardAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
}

/** True when dashboard/dist holds a built app. */
export function dashboardIsBuilt(dir: string = dashboardAssetsDir()): boolean {
  return existsSync(join(dir, 'index.html'));
}
