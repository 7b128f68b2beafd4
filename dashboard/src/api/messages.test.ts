import { describe, expect, it } from 'vitest';
import { messageState } from './messages.ts';

const copy = (status: string) => ({
  person: 'p-bater',
  device: null,
  status,
  deliveredAt: null,
  updatedAt: 1,
});

describe('messageState', () => {
  it('is the furthest any copy got: read beats delivered beats queued beats a missing listener', () => {
    expect(messageState({ copies: [] })).toBeUndefined();
    expect(messageState({ copies: [copy('no-listener'), copy('queued')] })).toBe('queued');
    expect(messageState({ copies: [copy('delivered'), copy('queued'), copy('failed')] })).toBe('delivered');
    expect(messageState({ copies: [copy('delivered'), copy('read')] })).toBe('read');
    expect(messageState({ copies: [copy('failed')] })).toBe('failed');
  });
});
