import { langSchema } from '@steppelink/protocols';
import { Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canSee } from '../api/context.ts';
import { notFound } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { zQuery } from '../api/validate.ts';
import type { IncidentApiDeps } from './api.ts';
import { gatherHandover, type HandoverSources } from './handover/gather.ts';
import { handoverGpx } from './handover/gpx.ts';
import { handoverHtml } from './handover/html.ts';

const htmlQuery = z.object({
  lang: langSchema.optional().describe("zh | mn | en (default: the reader's own language)"),
});

const NOTE =
  'Position in WGS-84 decimal degrees, degrees-minutes and degrees-minutes-seconds with its age and ' +
  "accuracy, the household's members with ages, phones and medical notes, the nearest water point and " +
  "road (the rules' water and road zones), the timeline and the device's last 24 h of track. Same " +
  'scope as GET /incidents/{id}: an incident outside your units is 404.';

/**
 * The rescue handover of an incident (issue #24): JSON, GPX 1.1 and a printable page. The paths
 * are `/incidents/:id/handover…`, each its own route beside `/incidents/:id`.
 */
export function handoverRoutes(d: IncidentApiDeps) {
  const sources: HandoverSources = { ...d.handover, ctx: d.ctx, engine: d.engine };
  const reg = () => d.ctx().registry;
  const visible = (c: { get(k: 'principal'): ApiEnv['Variables']['principal'] }, id: string) => {
    const inc = d.engine().get(id);
    return inc && canSee(reg(), c.get('principal'), inc.unit) ? inc : undefined;
  };
  const noCache = { 'cache-control': 'no-store' };

  return new Hono<ApiEnv>()
    .get(
      '/incidents/:id/handover',
      doc('incidents', 'Rescue handover of an incident (JSON)', { description: NOTE }),
      async (c) => {
        const inc = visible(c, c.req.param('id'));
        if (!inc) return notFound(c, 'incident', c.req.param('id'));
        return c.json(await gatherHandover(sources, inc), 200, noCache);
      },
    )
    .get(
      '/incidents/:id/handover.gpx',
      doc(
        'incidents',
        'Rescue handover as GPX 1.1: the position, home, nearest water and road, the recent track',
        {
          produces: ['application/gpx+xml'],
        },
      ),
      async (c) => {
        const inc = visible(c, c.req.param('id'));
        if (!inc) return notFound(c, 'incident', c.req.param('id'));
        const gpx = handoverGpx(await gatherHandover(sources, inc));
        return c.body(gpx, 200, {
          ...noCache,
          'content-type': 'application/gpx+xml; charset=utf-8',
          'content-disposition': `attachment; filename="handover-${inc.id}.gpx"`,
        });
      },
    )
    .get(
      '/incidents/:id/handover.html',
      doc('incidents', 'Rescue handover as a printable A4 page in zh, mn (vertical script) or en', {
        produces: ['text/html'],
      }),
      zQuery(htmlQuery),
      async (c) => {
        const inc = visible(c, c.req.param('id'));
        if (!inc) return notFound(c, 'incident', c.req.param('id'));
        const lang = c.req.valid('query').lang ?? c.get('principal').lang;
        const html = handoverHtml(await gatherHandover(sources, inc), lang, sources.timeZone);
        return c.html(html, 200, {
          ...noCache,
          // a self-contained page: nothing loads, nothing runs
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        });
      },
    );
}
