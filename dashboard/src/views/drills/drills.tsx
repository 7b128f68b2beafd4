import { startsDrills } from '../../api/permissions.ts';
import type { Me } from '../../api/session.ts';
import { useT } from '../../i18n/index.ts';
import type { Route } from '../../router.ts';
import { useUnitIndex } from '../use-unit-index.ts';
import { DrillList } from './drill-list.tsx';
import { DrillReportPage } from './drill-report.tsx';
import { DrillStartForm } from './drill-start.tsx';

/**
 * Drills (#/drills, issue #24): an officer starts a drill SOS for a household or a unit (after a
 * confirmation that it pages real people), sees the drills of their units, and opens one's
 * printable report (#/drills/{incident id}).
 */
export function Drills({ me, route }: { me: Me; route: Route }) {
  const t = useT();
  const units = useUnitIndex();
  if (route.id) return <DrillReportPage id={route.id} units={units} />;
  return (
    <section class="page drills" aria-labelledby="drills-title">
      <div class="section-head">
        <h1 id="drills-title" class="vhead">
          {t('drill.title')}
        </h1>
      </div>
      {startsDrills(me) ? (
        <DrillStartForm me={me} units={units} />
      ) : (
        <p class="read-only" data-testid="drills-read-only">
          {t('drill.notAllowed')}
        </p>
      )}
      <DrillList units={units} />
    </section>
  );
}
