import { messageIdSchema } from '@steppelink/protocols';
import { describe, expect, it } from 'vitest';
import { createIdFactory } from './ids.ts';

describe('createIdFactory', () => {
  it('makes valid, unique, sortable ids even within one millisecond', () => {
    const next = createIdFactory(() => 1_764_028_800_000);
    const ids = Array.from({ length: 1000 }, next);
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 5)) {
      expect(id).toHaveLength(26);
      expect(messageIdSchema.safeParse(id).success).toBe(true);
    }
  });

  it('stays monotonic when the clock steps back', () => {
    let t = 1_764_028_800_000;
    const next = createIdFactory(() => t);
    const a = next();
    t -= 60_000;
    const b = next();
    expect(b > a).toBe(true);
  });
});
