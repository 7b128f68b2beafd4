import type { TimelineEntry } from '../../api/incidents.ts';
import { useT } from '../../i18n/index.ts';
import { formatClock, formatDateTime } from '../../time.ts';
import { type TimelineContext, timelineLines } from './timeline-text.ts';

/** The incident's timeline in the reader's language, worded from each event's type and data. */
export function Timeline({ entries, context }: { entries: TimelineEntry[]; context: TimelineContext }) {
  const t = useT();
  return (
    <section class="timeline">
      <h3 class="vhead">{t('detail.timeline')}</h3>
      <ol>
        {timelineLines(entries, context, t).map((e, i) => (
          <li key={`${e.at}-${i}`} data-type={e.type}>
            <time dateTime={new Date(e.at).toISOString()} title={formatDateTime(e.at)}>
              {formatClock(e.at)}
            </time>
            <span class="tl-what">
              {e.text}
              {e.level !== undefined && <small> · {t('level.n', { n: e.level })}</small>}
            </span>
            {e.by && (
              <span class="tl-by">
                {e.by.name}
                {e.by.role && <small> · {t.dyn(`role.${e.by.role}`, e.by.role)}</small>}
              </span>
            )}
            {e.said && (
              <q class="tl-note" lang="">
                {e.said}
              </q>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
