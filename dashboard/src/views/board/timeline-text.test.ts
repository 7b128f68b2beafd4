import { describe, expect, it } from 'vitest';
import { TIMELINE_TYPES } from '../../../../hub/src/incidents/timeline-types.ts';
import type { TimelineEntry } from '../../api/incidents.ts';
import { LANGS, translator } from '../../i18n/index.ts';
import { eventText, type TimelineContext, timelineLines } from './timeline-text.ts';

const MONGOLIAN = /[\u1800-\u18AF]/;
const HAN = /[\u4E00-\u9FFF]/;
const CONTEXT: TimelineContext = {
  names: { 'p-bater': 'Bater', 'p-wuyun': 'Uyun' },
  category: 'medical',
  severity: 'critical',
  deviceId: 'stb-1',
  rescue: 'ambulance',
};
/** Every data field any type reads, as the hub writes them. */
const DATA = {
  people: ['p-bater', 'p-wuyun'],
  role: 'grid-worker',
  unit: '150824-104-007-03',
  cause: 'timeout',
  reminder: 2,
  presses: 3,
  lateMs: 95_000,
  reason: 'nobody on duty',
};
const entry = (type: string, over: Partial<TimelineEntry> = {}): TimelineEntry => ({
  at: 1_000,
  type,
  data: DATA,
  note: '网格员 巴特尔 未在 3分钟 内确认', // a hub log line: never shown
  ...over,
});

describe('timeline wording', () => {
  it.each(LANGS)('every event type the hub records has a text in %s, worded from its data', (lang) => {
    const t = translator(lang);
    for (const type of TIMELINE_TYPES) {
      const text = eventText(entry(type), CONTEXT, t);
      expect(text.trim(), `${lang}:${type}`).not.toBe('');
      expect(text, `${lang}:${type}`).not.toMatch(/[{}]/);
      expect(text, `${lang}:${type}`).not.toBe(type);
      if (lang === 'mn') expect(text, `${lang}:${type}`).toMatch(MONGOLIAN);
      if (lang === 'zh') expect(text, `${lang}:${type}`).toMatch(HAN);
      if (lang === 'en')
        expect(text, `${lang}:${type}`).not.toMatch(new RegExp(`${HAN.source}|${MONGOLIAN.source}`));
    }
  });

  it('names the people paged and says why it climbed', () => {
    const en = translator('en');
    expect(eventText(entry('paged'), CONTEXT, en)).toBe('Paged Grid worker: Bater, Uyun');
    expect(
      eventText(entry('escalated', { data: { people: ['p-bater'], cause: 'unreachable' } }), CONTEXT, en),
    ).toBe('Bater: could not be reached; escalated');
    expect(eventText(entry('paged'), CONTEXT, translator('zh'))).toBe('已通知网格员：Bater、Uyun');
    const unreached = {
      people: [{ person: 'p-wuyun', channels: [{ channel: 'mqtt', status: 'no-listener' }] }],
    };
    expect(eventText(entry('unreachable', { data: unreached }), CONTEXT, en)).toBe('Could not reach Uyun');
    expect(eventText(entry('open'), CONTEXT, en)).toBe('Opened: Medical · Critical');
  });

  it('shows each page once (the move to "paged" at the same moment is not a second line)', () => {
    const lines = timelineLines(
      [entry('open'), entry('paged', { at: 2_000 }), entry('notified', { at: 2_000, state: 'notified' })],
      CONTEXT,
      translator('en'),
    );
    expect(lines.map((l) => l.type)).toEqual(['open', 'paged']);
  });

  it("shows a person's own note as typed, never the hub's log line", () => {
    const en = translator('en');
    const [ack, paged] = timelineLines(
      [entry('acknowledged', { note: '马上出发' }), entry('paged')],
      CONTEXT,
      en,
    );
    expect(ack?.said).toBe('马上出发');
    expect(paged?.said).toBeUndefined();
    const [cancel] = timelineLines(
      [
        entry('cancelled', {
          by: { id: 'stb-1', name: '其其格' },
          note: 'cancelled on the box (confirmed twice)',
        }),
      ],
      CONTEXT,
      en,
    );
    expect(cancel?.text).toBe('Cancelled on the box (confirmed twice)');
    expect(cancel?.said).toBeUndefined();
  });

  it('shows an SOS message as its canned phrase in the reader’s language and its text as typed (issue #27)', () => {
    const reply = entry('message', {
      by: { id: 'stb-150824-104-0007', name: '其其格' },
      note: '住户：需要医生',
      data: { id: 'rpl-1', from: 'household', via: 'mqtt', canned: 'need-doctor', text: '老人发高烧' },
    });
    const [en] = timelineLines([reply], CONTEXT, translator('en'));
    expect(en).toMatchObject({ text: 'The household replied', said: 'need a doctor — 老人发高烧' });
    const [zh] = timelineLines([reply], CONTEXT, translator('zh'));
    expect(zh?.said).toBe('需要医生 — 老人发高烧');
    const [mn] = timelineLines([reply], CONTEXT, translator('mn'));
    expect(mn?.said?.startsWith('ᠡᠮᠴᠢ ᠬᠡᠷᠡᠭᠲᠡᠢ')).toBe(true);
    const officer = entry('message', {
      by: { id: 'p-saren', name: 'Saren' },
      data: { id: 'msg-1', from: 'responder', via: 'http', text: 'on our way' },
    });
    expect(timelineLines([officer], CONTEXT, translator('en'))[0]).toMatchObject({
      text: 'Saren wrote to the household',
      said: 'on our way',
    });
  });
});
