import type { Incident } from '../../api/incidents.ts';

/** Rule alerts the map marks where they happened (herds astray, near or over the border, a patrol member down). */
const MAP_ALERT_CATEGORIES = ['stray', 'border-approach', 'border-crossing', 'grazing-ban', 'man-down'];

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/**
 * The open incidents the map marks: every SOS with a position and the rule alerts above, least
 * urgent first, so an SOS is drawn last, on top of everything else.
 */
export function mapAlerts(incidents: Iterable<Incident>, isClosed: (i: Incident) => boolean): Incident[] {
  return [...incidents]
    .filter((i) => !isClosed(i) && i.pos && (i.source === 'sos' || MAP_ALERT_CATEGORIES.includes(i.category)))
    .sort(
      (a, b) =>
        Number(a.source === 'sos') - Number(b.source === 'sos') ||
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        a.openedAt - b.openedAt,
    );
}
