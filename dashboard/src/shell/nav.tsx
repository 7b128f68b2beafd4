import { useEffect, useState } from 'preact/hooks';
import { noticesAvailable } from '../api/notices.ts';
import { isFieldOnly, type Me } from '../api/session.ts';
import { useT } from '../i18n/index.ts';
import { hrefOf, type Page } from '../router.ts';
import { Icon } from './icons.tsx';

/**
 * The pages this person may use; broadcast only for officers (not a grid worker, leader or patrol
 * member in the field) and only once the hub has the notice API; escalation policies and drills
 * for officers too (each page offers changes only to those the hub lets make them).
 */
function pagesFor(me: Me, broadcast: boolean): Page[] {
  const field = me.roles.some(
    (r) => r.role === 'grid-worker' || r.role === 'grid-leader' || r.role === 'patrol-member',
  );
  const pages: Page[] = isFieldOnly(me) ? ['worker', 'board', 'map'] : ['board', 'map', 'devices', 'stats'];
  if (broadcast && !isFieldOnly(me)) pages.push('broadcast');
  if (!isFieldOnly(me)) pages.push('policies', 'drills');
  if (field && !pages.includes('worker')) pages.push('worker');
  return pages;
}

export function Nav({ me, page }: { me: Me; page: Page }) {
  const t = useT();
  const [broadcast, setBroadcast] = useState(false);
  useEffect(() => {
    let alive = true;
    noticesAvailable().then((ok) => alive && setBroadcast(ok));
    return () => {
      alive = false;
    };
  }, [me.person.id]);
  return (
    <nav class="side" aria-label="SteppeLink">
      {pagesFor(me, broadcast).map((p) => (
        <a key={p} href={hrefOf({ page: p })} aria-current={p === page ? 'page' : undefined} data-page={p}>
          <Icon name={p} size={22} />
          <span class="label">{t(`nav.${p}`)}</span>
        </a>
      ))}
    </nav>
  );
}
