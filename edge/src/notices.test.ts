import { fixtures, type Notice, noticeSchema } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { NoticeBoard } from './notices.ts';

const T = 1_764_028_800_000;
const base = noticeSchema.parse(fixtures.notice[0]);
const notice = (id: string, over: Partial<Notice> = {}): Notice => ({ ...base, id, noticeId: id, ...over });

function setup(max = 50, load?: () => string | undefined) {
  let now = T + 1_000;
  let saved: string | undefined;
  const board = new NoticeBoard({
    now: () => now,
    maxNotices: max,
    maxSeen: 5,
    load,
    save: (j) => {
      saved = j;
    },
  });
  return { board, setNow: (t: number) => (now = t), saved: () => saved };
}

describe('NoticeBoard', () => {
  it('shows a notice once even when it arrives on several unit topics', () => {
    const { board } = setup();
    expect(board.receive(notice('ntc-20251125-blizzard'))).toBe('new');
    expect(board.receive(notice('ntc-20251125-blizzard'))).toBe('duplicate');
    expect(board.active()).toHaveLength(1);
  });

  it('never shows an expired notice, and hides one when it expires', () => {
    const { board, setNow } = setup();
    expect(board.receive(notice('old', { validFrom: T - 10_000, expiresAt: T }))).toBe('expired');
    board.receive(notice('fodder', { priority: 'information', expiresAt: T + 60_000 }));
    expect(board.active().map((s) => s.notice.noticeId)).toEqual(['fodder']);
    setNow(T + 60_000);
    expect(board.active()).toEqual([]);
    expect(board.markRead('fodder')).toBe('unknown');
  });

  it('holds a notice until it is valid, and lists emergencies first', () => {
    const { board, setNow } = setup();
    board.receive(notice('later', { validFrom: T + 3_600_000, expiresAt: T + 7_200_000 }));
    board.receive(notice('info', { priority: 'information' }));
    board.receive(notice('storm', { priority: 'emergency' }));
    board.receive(notice('warn', { priority: 'warning' }));
    expect(board.active().map((s) => s.notice.noticeId)).toEqual(['storm', 'warn', 'info']);
    setNow(T + 3_600_000);
    expect(board.active()).toHaveLength(4);
  });

  it('marks read once', () => {
    const { board } = setup();
    board.receive(notice('n1'));
    expect(board.markRead('n1')).toBe('read');
    expect(board.markRead('n1')).toBe('already-read');
    expect(board.markRead('nope')).toBe('unknown');
  });

  it('stays bounded, dropping read notices first, and remembers dropped ids as duplicates', () => {
    const { board } = setup(2);
    board.receive(notice('a'));
    board.receive(notice('b'));
    board.markRead('b');
    board.receive(notice('c'));
    expect(
      board
        .active()
        .map((s) => s.notice.noticeId)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(board.receive(notice('b'))).toBe('duplicate');
  });

  it('restores from its saved state and ignores damaged state', () => {
    const first = setup();
    first.board.receive(notice('n1'));
    first.board.markRead('n1');
    const json = first.saved();
    const second = setup(50, () => json);
    expect(second.board.get('n1')?.readAt).toBeDefined();
    expect(second.board.receive(notice('n1'))).toBe('duplicate');
    const third = setup(50, () => '{"notices":[{"notice":{}}]}');
    expect(third.board.active()).toEqual([]);
  });
});
