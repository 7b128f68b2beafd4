import { SMALL_LEAGUE } from '../../registry/fixture.ts';
import type { Household } from '../../registry/schema.ts';
import type { Incident, TimelineEvent } from '../store.ts';
import type { HandoverFacts } from './build.ts';
import type { Place } from './places.ts';

/** Test facts for the handover: 其其格's household SOS in Bayan Hatai group 3 (SMALL_LEAGUE). */
export const NOW = Date.UTC(2026, 11, 8, 1, 30); // 09:30 in Urad Middle Banner
const MIN = 60_000;

export const HOUSEHOLD: Household = {
  ...SMALL_LEAGUE.households.find((h) => h.id === 'hh-150824-104-0007')!,
  members: [
    { name: '其其格', phone: '15247801234', born: 1979 },
    { name: '巴雅尔', born: 1948, medical: '高血压，服硝苯地平', note: '行动不便' },
  ],
};

export const INCIDENT: Incident = {
  id: '01KHANDOVER0000000000000001',
  key: 'sos:stb-150824-104-0007',
  source: 'sos',
  category: 'medical',
  severity: 'critical',
  state: 'dispatched',
  unit: '150824-104-007-03',
  household: HOUSEHOLD.id,
  device: 'stb-150824-104-0007',
  reporter: null,
  sosId: 'stb-150824-104-0007:sos:1',
  presses: 1,
  lastPressAt: NOW - 20 * MIN,
  sourceTs: NOW - 20 * MIN,
  openedAt: NOW - 20 * MIN,
  lateMs: 0,
  summary: { zh: '其其格家求救：急病', mn: 'ᠬᠡᠷᠡᠭ', en: 'SOS from Qiqige: medical emergency' },
  details: { note: '老人胸口疼 <b>' },
  pos: { lat: 42.1213, lon: 108.4382, acc: 12, t: NOW - 20 * MIN },
  chain: [{ unit: '150824-104-007-03', role: 'grid-worker' }],
  alsoNotify: [],
  level: 0,
  levelAt: NOW - 20 * MIN,
  reminder: 0,
  nextAt: null,
  nextAction: null,
  escalations: 0,
  topReminders: 0,
  ackBy: 'p-bater',
  ackAt: NOW - 18 * MIN,
  dispatchedAt: NOW - 10 * MIN,
  rescue: 'helicopter',
  closedAt: null,
  updatedAt: NOW - 10 * MIN,
  policy: null,
  drill: false,
  version: 3,
};

const line = (id: number, at: number, type: string, o: Partial<TimelineEvent> = {}): TimelineEvent => ({
  id,
  at,
  type,
  state: null,
  actor: null,
  actorName: null,
  actorRole: null,
  level: null,
  note: null,
  data: null,
  ...o,
});

export const TIMELINE: TimelineEvent[] = [
  line(1, NOW - 20 * MIN, 'open', { state: 'open' }),
  line(2, NOW - 20 * MIN, 'paged', { state: 'notified', level: 0, note: 'paged grid-worker' }),
  line(3, NOW - 18 * MIN, 'acknowledged', {
    state: 'acknowledged',
    actor: 'p-bater',
    actorName: '巴特尔',
    actorRole: 'grid-worker',
    note: '我开车过去',
  }),
  line(4, NOW - 10 * MIN, 'dispatched', {
    state: 'dispatched',
    actor: 'p-saren',
    actorName: '萨仁',
    actorRole: 'banner-duty-officer',
    note: 'helicopter: 医疗直升机从巴彦淖尔起飞',
  }),
];

export const PLACES: Place[] = [
  {
    id: 'well-bayan-hatai-3',
    kind: 'water',
    name: { zh: '巴音哈太三组水井', en: 'Bayan Hatai group 3 well' },
    geometry: { type: 'Point', coordinates: [108.45, 42.13] },
  },
  {
    id: 'well-far',
    kind: 'water',
    name: { zh: '远处水井' },
    geometry: { type: 'Point', coordinates: [108.6, 42.3] },
  },
  {
    id: 'road-s212',
    kind: 'road',
    name: { zh: 'S212 省道', en: 'Provincial road S212' },
    geometry: {
      type: 'LineString',
      coordinates: [
        [108.3, 42.1],
        [108.6, 42.1],
      ],
    },
  },
];

export const facts = (o: Partial<HandoverFacts> = {}): HandoverFacts => ({
  inc: INCIDENT,
  place: [
    { id: '150800', level: 'league', name: { zh: '巴彦淖尔市', mn: 'ᠪᠠᠶᠠᠨᠨᠠᠭᠤᠷ ᠬᠣᠲᠠ', en: 'Bayannur' } },
    {
      id: '150824-104-007-03',
      level: 'grid',
      name: { zh: '巴音哈太嘎查三组', mn: 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ', en: 'Bayan Hatai group 3' },
    },
  ],
  household: HOUSEHOLD,
  device: { id: 'stb-150824-104-0007', kind: 'settop' },
  timeline: TIMELINE,
  positions: [],
  track: [],
  trackFrom: NOW - 24 * 60 * MIN,
  places: PLACES,
  now: NOW,
  timeZone: 'Asia/Shanghai',
  ...o,
});
