import { hc } from 'hono/client';
import type { AppType } from '../../../hub/src/api/app.ts';

/**
 * The typed client of the hub's core API (`hc<AppType>`): paths, query parameters and response
 * bodies come from the hub's hono routes at compile time; only the route TYPE is imported, no hub
 * code reaches the bundle. Same origin, so the session cookie rides along.
 */
export const api = hc<AppType>('/', { init: { credentials: 'same-origin' } });
