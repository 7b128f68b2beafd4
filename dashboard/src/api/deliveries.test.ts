import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../hub/src/incidents/store.ts';
import { type Delivery, inFlight, peopleNames } from './deliveries.ts';

let id = 0;
const ev = (e: Partial<TimelineEvent> & { type: string }): TimelineEvent => ({
  id: ++id,
  at: 1_000 + id,
  state: null,
  actor: null,
  actorName: null,
  actorRole: null,
  level: null,
  note: null,
  data: null,
  ...e,
});

describe('peopleNames', () => {
  it('zips the names of paged and reminded notes with the ids in their data', () => {
    const names = peopleNames(
      [
        ev({ type: 'paged', level: 0, note: '网格员 巴特尔', data: { people: ['p-bater'] } }),
        ev({ type: 'paged', level: 1, note: '网格长 乌云、敖登', data: { people: ['p-wuyun', 'p-aodeng'] } }),
        ev({
          type: 'reminded',
          level: 2,
          note: 'no answer; 额尔敦',
          data: { reminder: 1, people: ['p-erdun'] },
        }),
      ],
      null,
    );
    expect(names).toEqual({
      'p-bater': '巴特尔',
      'p-wuyun': '乌云',
      'p-aodeng': '敖登',
      'p-erdun': '额尔敦',
    });
  });

  it('keeps ids when a note does not line up, and prefers actors and the acknowledger', () => {
    const names = peopleNames(
      [
        ev({ type: 'paged', level: 0, note: '网格员 巴特尔', data: { people: ['p-bater', 'p-x'] } }),
        ev({ type: 'paged', level: 1, note: '网格长 p-wuyun', data: { people: ['p-wuyun'] } }),
        ev({ type: 'declined', level: 1, actor: 'p-wuyun', actorName: '乌云' }),
        ev({ type: 'open', actor: 'system', actorName: 'SteppeLink' }),
      ],
      { id: 'p-saren', name: '萨仁' },
    );
    expect(names).toEqual({ 'p-wuyun': '乌云', 'p-saren': '萨仁' });
  });
});

describe('inFlight', () => {
  const d = (status: string): Delivery => ({
    kind: 'alert',
    level: 0,
    reminder: 0,
    person: 'p',
    device: null,
    channel: 'mqtt',
    status,
    attempts: 1,
    lastError: null,
    createdAt: 0,
    updatedAt: 0,
    deliveredAt: null,
  });
  it('is true while anything is pending, retrying, held or queued', () => {
    expect(inFlight([d('delivered'), d('no-listener'), d('not-needed'), d('failed')])).toBe(false);
    for (const s of ['pending', 'retry', 'held', 'queued'])
      expect(inFlight([d('delivered'), d(s)])).toBe(true);
  });
});
