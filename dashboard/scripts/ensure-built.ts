// `npm test` / `npm start` run this first: build dashboard/dist when it is missing or stale.
import { dashboardBuildIsStale, ensureDashboardBuilt } from '../src/build.ts';

const stale = dashboardBuildIsStale();
const dir = await ensureDashboardBuilt();
console.log(stale ? `dashboard: built ${dir}` : `dashboard: up to date (${dir})`);
