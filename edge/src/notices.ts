import { NOTICE_PRIORITIES, type Notice, noticeSchema } from '@steppelink/protocols';
import { z } from 'zod';
import { EDGE_DEFAULTS } from './defaults.ts';

export interface ShownNotice {
  notice: Notice;
  receivedAt: number;
  readAt?: number;
}

export type ReceiveOutcome = 'new' | 'duplicate' | 'expired';
export type ReadOutcome = 'read' | 'already-read' | 'unknown';

export interface NoticeBoardOptions {
  now(): number;
  maxNotices?: number;
  maxSeen?: number;
  load?(): string | undefined;
  save?(json: string): void;
}

const savedSchema = z.object({
  notices: z.array(z.object({ notice: noticeSchema, receivedAt: z.number(), readAt: z.number().optional() })),
  seen: z.array(z.string()),
});

const rank = (n: Notice) => NOTICE_PRIORITIES.indexOf(n.priority);

/**
 * Notices for the TV: de-duplicated by noticeId (the same notice arrives on several unit
 * topics and on redelivery), never shown once expired, bounded in number. Remembers the ids of
 * notices it has dropped so a late duplicate is not shown (or receipted) again.
 */
export class NoticeBoard {
  readonly #o: Required<Pick<NoticeBoardOptions, 'maxNotices' | 'maxSeen'>> & NoticeBoardOptions;
  #notices = new Map<string, ShownNotice>();
  #seen = new Set<string>();

  constructor(options: NoticeBoardOptions) {
    this.#o = { maxNotices: EDGE_DEFAULTS.noticesMax, maxSeen: EDGE_DEFAULTS.noticeSeenMax, ...options };
    const raw = options.load?.();
    if (raw) {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        value = undefined;
      }
      const parsed = savedSchema.safeParse(value);
      if (parsed.success) {
        for (const s of parsed.data.notices) this.#notices.set(s.notice.noticeId, s);
        this.#seen = new Set(parsed.data.seen);
      }
    }
  }

  receive(notice: Notice): ReceiveOutcome {
    const id = notice.noticeId;
    if (this.#notices.has(id) || this.#seen.has(id)) return 'duplicate';
    this.#remember(id);
    if (notice.expiresAt <= this.#o.now()) {
      this.#save();
      return 'expired';
    }
    this.#notices.set(id, { notice, receivedAt: this.#o.now() });
    this.#prune();
    this.#save();
    return 'new';
  }

  /** Notices to show now: valid, not expired; emergencies first, then newest. */
  active(): ShownNotice[] {
    const now = this.#o.now();
    return [...this.#notices.values()]
      .filter((s) => s.notice.validFrom <= now && now < s.notice.expiresAt)
      .sort((a, b) => rank(a.notice) - rank(b.notice) || b.receivedAt - a.receivedAt);
  }

  get(noticeId: string): ShownNotice | undefined {
    return this.#notices.get(noticeId);
  }

  /** The page reports the notice was on screen. Only an active notice can be read. */
  markRead(noticeId: string): ReadOutcome {
    const s = this.#notices.get(noticeId);
    const now = this.#o.now();
    if (!s || s.notice.expiresAt <= now || s.notice.validFrom > now) return 'unknown';
    if (s.readAt !== undefined) return 'already-read';
    s.readAt = now;
    this.#save();
    return 'read';
  }

  #remember(id: string): void {
    this.#seen.add(id);
    while (this.#seen.size > this.#o.maxSeen) {
      const oldest = this.#seen.values().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
  }

  /** Drops expired notices, then (past the bound) read ones, then the oldest. */
  #prune(): void {
    const now = this.#o.now();
    for (const [id, s] of this.#notices) if (s.notice.expiresAt <= now) this.#notices.delete(id);
    const byAge = () => [...this.#notices.values()].sort((a, b) => a.receivedAt - b.receivedAt);
    for (const s of byAge().filter((x) => x.readAt !== undefined)) {
      if (this.#notices.size <= this.#o.maxNotices) return;
      this.#notices.delete(s.notice.noticeId);
    }
    for (const s of byAge()) {
      if (this.#notices.size <= this.#o.maxNotices) return;
      this.#notices.delete(s.notice.noticeId);
    }
  }

  #save(): void {
    this.#o.save?.(JSON.stringify({ notices: [...this.#notices.values()], seen: [...this.#seen] }));
  }
}
