import type { Texts } from '@steppelink/protocols';
import type { Logger } from '../../log.ts';
import type { Db } from '../../state/db.ts';
import type { Outbox } from '../outbox.ts';
import type { Incident } from '../store.ts';
import type { Handover } from './build.ts';
import { gatherHandover, type HandoverSources } from './gather.ts';
import { handoverGpx } from './gpx.ts';
import { agoText, RESCUE_NAMES, textOf } from './texts.ts';

/** The JSON body the dispatch webhook receives, one per dispatch. */
export interface DispatchWebhookBody {
  kind: 'dispatch';
  incidentId: string;
  rescue: string | null;
  dispatchedAt: number;
  severity: string;
  drill: boolean;
  /** One line a gateway can pass on as an SMS to the crew, in each language. */
  texts: Texts;
  handover: Handover;
  /** The same as GET /api/incidents/{id}/handover.gpx. */
  gpx: string;
  /** Stable per dispatch: the receiver can drop a retried duplicate. */
  idempotencyKey: string;
}

/** "【救援交接】急病 其其格 15247801234；位置 42° 07.2780′ N 108° 26.2920′ E（3分钟前，±12 米）；已派直升机" */
export function dispatchTexts(h: Handover): Texts {
  const inc = h.incident;
  const p = h.position;
  const rescue = inc.dispatch?.rescue ? textOf(RESCUE_NAMES, inc.dispatch.rescue) : null;
  const who = h.household ? `${h.household.name}${h.household.phone ? ` ${h.household.phone}` : ''}` : '';
  const ago = (lang: 'zh' | 'mn' | 'en') => (p?.at != null ? agoText(h.madeAt - p.at, lang) : '');
  const acc = p?.accuracyM != null ? Math.round(p.accuracyM) : null;
  const drill = inc.drill ? { zh: '【演练】', mn: 'ᠳᠠᠰᠬᠠᠯ: ', en: 'DRILL: ' } : { zh: '', mn: '', en: '' };
  return {
    zh:
      `${drill.zh}【救援交接】${inc.categoryName.zh} ${who}；` +
      `位置 ${p ? p.formats.dm : '未知'}${p?.at != null ? `（${ago('zh')}${acc !== null ? `，±${acc} 米` : ''}）` : ''}` +
      `${rescue ? `；已派${rescue.zh}` : ''}`,
    mn:
      `${drill.mn}${inc.categoryName.mn} ${who}; ${p ? p.formats.dm : '?'}` +
      `${p?.at != null ? ` (${ago('mn')}${acc !== null ? `, ±${acc} m` : ''})` : ''}${rescue ? `; ${rescue.mn}` : ''}`,
    en:
      `${drill.en}Rescue handover: ${inc.categoryName.en}, ${who}; position ${p ? p.formats.dm : 'unknown'}` +
      `${p?.at != null ? ` (${ago('en')}${acc !== null ? `, ±${acc} m` : ''})` : ''}` +
      `${rescue ? `; ${rescue.en} dispatched` : ''}`,
  };
}

/**
 * After a dispatch: the handover goes to the dispatch webhook as a deliveries row (retried with
 * backoff like every page, its outcome on the incident's detail). One row per dispatch action,
 * keyed by its timeline line, so asking twice sends once. The row is written after the
 * dispatch's own commit; a hub stopped in between writes it at its next start (`unsentDispatches`).
 */
export function dispatchHandover(o: {
  sources: HandoverSources;
  outbox: Outbox;
  kick: () => void;
  log: Logger;
  /** Whether the row of this key is written already (saves building the handover again). */
  sent?: (key: string) => boolean;
}): (inc: Incident) => Promise<void> {
  return async (inc) => {
    try {
      const line = o.sources
        .engine()
        .timeline(inc.id)
        .filter((e) => e.type === 'dispatched')
        .at(-1);
      if (!line || inc.dispatchedAt === null) return;
      const key = `dispatch:${inc.id}:${line.id}`;
      if (o.sent?.(key)) return;
      const h = await gatherHandover(o.sources, inc);
      const body: DispatchWebhookBody = {
        kind: 'dispatch',
        incidentId: inc.id,
        rescue: inc.rescue,
        dispatchedAt: line.at,
        severity: inc.severity,
        drill: inc.drill,
        texts: dispatchTexts(h),
        handover: h,
        gpx: handoverGpx(h),
        idempotencyKey: key,
      };
      if (o.outbox.machine(key, 'dispatch', body, inc.id, 'dispatch', o.sources.ctx().clock.now()) > 0)
        o.kick();
    } catch (err) {
      o.log.error(
        { err, incidentId: inc.id },
        'the rescue handover for the dispatch webhook was not written',
      );
    }
  };
}

/**
 * How long after a dispatch a hub that starts still sends its handover when it was never written
 * (stopped between the dispatch's commit and the row, or the webhook configured since): long
 * enough for a restart, short enough not to send a crew yesterday's incident.
 */
export const RESEND_DISPATCH_WITHIN_MS = 3600_000;

/** Open incidents whose latest dispatch is within `RESEND_DISPATCH_WITHIN_MS`: the start-up sweep hands each to the sender (a no-op for those already sent). */
export function unsentDispatches(db: Db, now: number): string[] {
  return db
    .prepare(
      `SELECT i.id FROM incidents i
       WHERE i.state = 'dispatched' AND i.closed_at IS NULL
         AND (SELECT max(at) FROM incident_events e WHERE e.incident_id = i.id AND e.type = 'dispatched') >= ?
       ORDER BY i.updated_at`,
    )
    .pluck()
    .all(now - RESEND_DISPATCH_WITHIN_MS) as string[];
}
