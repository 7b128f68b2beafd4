import { useEffect, useState } from 'preact/hooks';
import { listNotices, type NoticeRecord, noticesAvailable } from '../../api/notices.ts';
import type { Me } from '../../api/session.ts';
import { pick, useT } from '../../i18n/index.ts';
import { hrefOf, type Route } from '../../router.ts';
import { formatShort } from '../../time.ts';
import { Composer } from './composer.tsx';
import { Progress } from './progress.tsx';

/** Broadcast: recent notices, the composer, and a notice's progress (#/broadcast/{id}). */
export function Broadcast({ route }: { me: Me; route: Route }) {
  const t = useT();
  const [available, setAvailable] = useState<boolean | null>(null);
  const [notices, setNotices] = useState<NoticeRecord[]>([]);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    noticesAvailable().then(setAvailable);
  }, []);
  useEffect(() => {
    if (available) listNotices().then(setNotices, () => setNotices([]));
  }, [available, version]);

  if (available === null) return <p>{t('common.loading')}</p>;
  if (!available) return null; // the hub has no notice API: nothing to show (the nav hides the page too)
  return (
    <div class="page broadcast">
      <h1 class="sr">{t('nav.broadcast')}</h1>
      <Composer onSent={() => setVersion((v) => v + 1)} />
      <div class="notices">
        {route.id && <Progress id={route.id} />}
        {notices.length > 0 && (
          <ul class="notice-list card">
            {notices.map((n) => (
              <li key={n.id} class={`pri-${n.priority} ${route.id === n.id ? 'selected' : ''}`}>
                <a href={hrefOf({ page: 'broadcast', id: n.id })}>
                  <span class={`pri pri-${n.priority}`}>{t(`bc.pri.${n.priority}`)}</span>
                  <span class="notice-text">{pick(n.texts, t.lang)}</span>
                  <time>{formatShort(n.validFrom)}</time>
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
