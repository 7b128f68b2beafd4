import { describe, expect, it } from 'vitest';
import { type Delivery, inFlight } from './deliveries.ts';

describe('inFlight', () => {
  const d = (status: string): Delivery => ({
    kind: 'alert',
    level: 0,
    reminder: 0,
    person: 'p',
    personName: null,
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
