import { describe, expect, it } from 'vitest';
import { runOutboxContract } from './contract.ts';
import { createMemoryOutbox } from './memory.ts';

runOutboxContract('memory', (limits) => createMemoryOutbox(limits));

describe('memory outbox', () => {
  it('drains a large backlog in order without rescanning (cursor paging)', () => {
    const s = createMemoryOutbox();
    for (let i = 0; i < 20_000; i++) {
      s.put({ kind: 'pos', topic: 't', msgId: `p${i}`, payload: Buffer.alloc(8), createdMs: i });
    }
    let cursor: { prio: number; seq: number } | undefined;
    let seen = 0;
    for (;;) {
      const page = s.next(64, cursor);
      const last = page.at(-1);
      if (!last) break;
      seen += page.length;
      s.remove(page.map((e) => e.seq));
      cursor = { prio: last.prio, seq: last.seq };
    }
    expect(seen).toBe(20_000);
    expect(s.stats().count).toBe(0);
  });
});
