import type { TimelineEntry } from '../../api/incidents.ts';
import { useT } from '../../i18n/index.ts';
import { formatClock, formatDateTime } from '../../time.ts';

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const t = useT();
  return (
    <section class="timeline">
      <h3 class="vhead">{t('detail.timeline')}</h3>
      <ol>
        {entries.map((e, i) => (
          <li key={`${e.at}-${i}`} data-type={e.type}>
            <time dateTime={new Date(e.at).toISOString()} title={formatDateTime(e.at)}>
              {formatClock(e.at)}
            </time>
            <span class="tl-what">
              {t.dyn(`tl.${e.type}`, e.state ? t.dyn(`state.${e.state}`, e.state) : e.type)}
              {e.level !== undefined && <small> · {t('level.n', { n: e.level })}</small>}
            </span>
            {e.by && (
              <span class="tl-by">
                {e.by.name}
                {e.by.role && <small> · {t.dyn(`role.${e.by.role}`, e.by.role)}</small>}
              </span>
            )}
            {e.note && <span class="tl-note">{e.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
