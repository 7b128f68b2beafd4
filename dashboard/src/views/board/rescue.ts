import type { RescueMeans } from '../../api/incidents.ts';

/**
 * The rescue means the dispatch form offers first, by what happened: a helicopter for the
 * life-threatening calls far from a road, the patrol to search, the grid worker for what a visit
 * settles (a power cut, a herd, a dispute). The officer can always pick another.
 */
const BY_CATEGORY: Record<string, RescueMeans> = {
  medical: 'ambulance',
  injury: 'ambulance',
  fire: 'neighbour',
  'lost-person': 'patrol',
  'man-down': 'helicopter',
  blizzard: 'patrol',
  'border-crossing': 'patrol',
  'border-approach': 'patrol',
  unknown: 'helicopter', // the one-key rescue call with no category: assume the worst
};

export function defaultRescue(category: string): RescueMeans {
  return BY_CATEGORY[category] ?? 'worker';
}
