import type { Translate } from '../../i18n/index.ts';

/**
 * Marks a drill (issue #24) wherever an incident is shown: the board's row and card, the facts of
 * the detail and the worker's phone, the drill report. A drill pages real people and climbs the
 * real chain; this is what tells them the emergency is an exercise.
 */
export function DrillBadge({ t }: { t: Translate }) {
  return (
    <span class="drill-badge" data-drill="yes" title={t('drill.factNote')}>
      {t('drill.badge')}
    </span>
  );
}
