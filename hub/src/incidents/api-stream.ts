import { doc } from '../api/openapi.ts';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type ApiEnv, canSee } from '../api/context.ts';
import { apiError } from '../api/errors.ts';
import type { IncidentApiDeps } from './api.ts';

/** Events an open stream may hold before the oldest are dropped (a stalled browser must not grow the hub). */
const STREAM_QUEUE_MAX = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

/**
 * GET /api/incidents/stream — Server-Sent Events for the live alert board: `incident` (an
 * incident the caller can see was created or changed), `page` (the caller is paged), `dropped`
 * (how many events a slow reader lost). Optional `?unit=` narrows it to one unit and below.
 */
export function streamRoute(d: IncidentApiDeps) {
  return new Hono<ApiEnv>().get(
    '/incidents/stream',
    doc('incidents', 'Live incident changes as server-sent events', { produces: ['text/event-stream'] }),
    (c) => {
      const p = c.get('principal');
      const ctx = d.ctx();
      const unit = c.req.query('unit');
      if (unit !== undefined && (!ctx.registry.getUnit(unit) || !canSee(ctx.registry, p, unit))) {
        return apiError(c, 403, 'out_of_scope', `unit ${unit} is not within the units you can see`);
      }
      return streamSSE(c, async (stream) => {
        const queue: { event: string; data: unknown }[] = [];
        let dropped = 0;
        let closed = false;
        let wake: (() => void) | null = null;
        const push = (event: string, data: unknown) => {
          if (queue.length >= STREAM_QUEUE_MAX) {
            queue.shift();
            dropped++;
          }
          queue.push({ event, data });
          wake?.();
        };
        const offChange = ctx.events.on('incident.changed', (e) => {
          if (!canSee(ctx.registry, p, e.unitId)) return;
          if (unit !== undefined && !ctx.registry.isWithin(e.unitId, unit)) return;
          push('incident', e.data);
        });
        const offPage = d.stream.attach(p.personId, (event, data) => push(event, data));
        const ping = ctx.clock.setInterval(() => push('ping', { at: ctx.clock.now() }), KEEPALIVE_MS);
        stream.onAbort(() => {
          closed = true;
          wake?.();
        });
        let seq = 0;
        try {
          await stream.writeSSE({
            event: 'hello',
            data: JSON.stringify({ personId: p.personId, at: ctx.clock.now() }),
          });
          while (!closed) {
            if (queue.length === 0) {
              await new Promise<void>((r) => {
                wake = r;
              });
              wake = null;
              continue;
            }
            if (dropped > 0) {
              await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ count: dropped }) });
              dropped = 0;
            }
            const next = queue.shift()!;
            await stream.writeSSE({ event: next.event, data: JSON.stringify(next.data), id: String(++seq) });
          }
        } finally {
          offChange();
          offPage();
          ctx.clock.clearInterval(ping);
        }
      });
    },
  );
}
