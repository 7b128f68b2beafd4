import { Hono } from 'hono';
import { compress } from 'hono/compress';

type Fetch = (req: Request, env?: unknown) => Response | Promise<Response>;

/**
 * Everything the HTTP server answers, compressed for clients that accept it: API JSON and CSV over
 * 1 KiB are gzipped as they stream out (hono's compress middleware). Left alone: the live stream
 * (`text/event-stream` is outside hono's filter, so an SSE event is never held in a compressor's
 * buffer), the dashboard's scripts and styles (sent as the build's brotli/gzip copies, already
 * encoded), images, and `Cache-Control: no-transform` answers.
 */
export function withCompression(fetch: Fetch): Fetch {
  const app = new Hono().use(compress()).all('*', (c) => fetch(c.req.raw, c.env));
  return (req, env) => app.fetch(req, env);
}
