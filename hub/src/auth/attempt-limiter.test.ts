import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  AttemptLimiter,
  type Ticket,
  type ThrottlePolicy,
  throttleDelayMs,
} from './attempt-limiter.ts';

const clockAt = (t = 0) => {
  const c = { t, now: () => c.t };
  return c;
};
const small = {
  account: { freeFailures: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  address: { freeFailures: 6, baseDelayMs: 100, maxDelayMs: 2_000 },
  knownClient: { freeFailures: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
};

/** Most attempts a one-at-a-time guesser could have started within `elapsedMs`, every one failing. */
function sequentialMax(p: ThrottlePolicy, elapsedMs: number): number {
  let at = 0;
  let n = 0;
  while (at <= elapsedMs) {
    n++;
    at += throttleDelayMs(p, n);
    if (n > 10_000) break;
  }
  return n;
}

describe('AttemptLimiter', () => {
  it('lets the free failures through, then delays exponentially up to the cap, never for good', () => {
    const clock = clockAt();
    const l = new AttemptLimiter(clock, small);
    const a: Attempt = { account: 'user:wuyun', address: '10.0.0.1' };
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = l.begin(a);
      if (!r.ok) {
        waits.push(r.retryAfterMs);
        clock.t += r.retryAfterMs;
        i--;
        continue;
      }
      l.fail(r.ticket);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    clock.t += small.address.maxDelayMs; // the address (6 free) is the longer wait by now
    expect(l.begin(a).ok).toBe(true);
  });

  it('holds the reservation while the check runs: parallel guesses are judged one by one', () => {
    const l = new AttemptLimiter(clockAt(), small);
    const granted: Ticket[] = [];
    for (let i = 0; i < 40; i++) {
      const r = l.begin({ account: 'user:bater', address: `198.51.100.${i}` });
      if (r.ok) granted.push(r.ticket);
    }
    expect(granted).toHaveLength(3); // the free ones; the rest wait as if the three had failed
    for (const t of granted) l.fail(t);
  });

  it('a success resets the account and gives back its reservation on the address', () => {
    const clock = clockAt();
    const l = new AttemptLimiter(clock, small);
    const a = { account: 'user:erdun', address: '10.0.0.9' };
    for (let i = 0; i < 3; i++) {
      const r = l.begin(a);
      if (r.ok) l.fail(r.ticket);
    }
    expect(l.begin(a)).toMatchObject({ ok: false, retryAfterMs: 100 });
    clock.t += 100;
    const ok = l.begin(a);
    expect(ok.ok).toBe(true);
    if (ok.ok) l.succeed(ok.ticket);
    const again = l.begin(a);
    expect(again.ok).toBe(true); // account back to zero; the address holds 3 real failures + this one
    expect(l.throttled()).toEqual([]);
  });

  it("a device's attempt is not refused by a delayed address, though its failures count there", () => {
    const l = new AttemptLimiter(clockAt(), small);
    const office = '10.30.0.1';
    for (let i = 0; i < 12; i++) {
      const r = l.begin({ account: `user:guess-${i}`, address: office });
      if (r.ok) l.fail(r.ticket);
    }
    expect(l.begin({ account: 'user:erdun', address: office })).toMatchObject({
      ok: false,
      bucket: 'address',
    });
    const box = l.begin({ account: 'device:stb-1', address: office, addressCannotRefuse: true });
    expect(box.ok).toBe(true);
    if (box.ok) l.fail(box.ticket);
    expect(l.throttled().find((k) => k.key === office)?.failures).toBe(7); // 6 free ones, then refused; + the box's
  });

  it('an operator unblocks an account or an address', () => {
    const clock = clockAt();
    const l = new AttemptLimiter(clock, small);
    const a = { account: 'user:saren', address: '203.0.113.7' };
    for (let i = 0; i < 8; i++) {
      const r = l.begin({ ...a, address: `192.0.2.${i}` });
      if (r.ok) l.fail(r.ticket);
    }
    expect(l.begin(a)).toMatchObject({ ok: false, bucket: 'account' });
    expect(l.throttled().map((k) => k.key)).toContain('user:saren');
    expect(l.unblock({ account: 'user:saren' })).toBe(1);
    expect(l.begin(a).ok).toBe(true);
  });

  it('forgets a bucket after a quiet day, and stays within its bound', () => {
    const clock = clockAt();
    const l = new AttemptLimiter(clock, { ...small, maxEntries: 50 });
    for (let i = 0; i < 500; i++) {
      const r = l.begin({ account: `user:made-up-${i}`, address: `10.1.${i >> 8}.${i & 255}` });
      if (r.ok) l.fail(r.ticket);
    }
    expect(l.size).toBeLessThanOrEqual(50);
    expect(l.evicted).toBeGreaterThan(0);
  });

  it('property: however attempts interleave, nobody gets more guesses than a one-at-a-time guesser', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 400 }),
            op: fc.constantFrom('begin', 'begin', 'fail'),
            addr: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 200 },
        ),
        (ops) => {
          const clock = clockAt();
          const l = new AttemptLimiter(clock, small);
          const open: Ticket[] = [];
          let granted = 0;
          const perAddr = [0, 0, 0];
          for (const o of ops) {
            clock.t += o.dt;
            if (o.op === 'fail') {
              const t = open.shift();
              if (t) l.fail(t);
              continue;
            }
            const r = l.begin({ account: 'user:target', address: `a${o.addr}` });
            if (r.ok) {
              granted++;
              perAddr[o.addr]!++;
              open.push(r.ticket);
            } else {
              expect(r.retryAfterMs).toBeGreaterThan(0);
              expect(r.retryAfterMs).toBeLessThanOrEqual(small.address.maxDelayMs);
            }
          }
          expect(granted).toBeLessThanOrEqual(sequentialMax(small.account, clock.t));
          for (const n of perAddr) expect(n).toBeLessThanOrEqual(sequentialMax(small.address, clock.t));
        },
      ),
    );
  });

  it('property: a known-good client keeps working whatever others try against its account', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 50 }),
            addr: fc.constantFrom('10.0.0.5', '198.51.100.1', '198.51.100.2'),
            client: fc.option(fc.constantFrom('forged', 'other-browser'), { nil: undefined }),
          }),
          { maxLength: 150 },
        ),
        (attacks) => {
          const clock = clockAt();
          const l = new AttemptLimiter(clock, small);
          const real = { account: 'user:bater', address: '10.0.0.5', client: 'bater-phone-cookie' };
          const first = l.begin(real);
          expect(first.ok).toBe(true);
          if (first.ok) l.succeed(first.ticket);
          for (const a of attacks) {
            clock.t += a.dt;
            const r = l.begin({
              account: 'user:bater',
              address: a.addr,
              ...(a.client ? { client: a.client } : {}),
            });
            if (r.ok) l.fail(r.ticket);
            const mine = l.begin(real);
            expect(mine.ok).toBe(true);
            if (mine.ok) l.succeed(mine.ticket);
          }
        },
      ),
    );
  });

  it("property: a phone known by its client id keeps working from a new address while others guess its person's password", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 50 }),
            addr: fc.constantFrom('10.0.0.5', '198.51.100.1', '100.64.7.9'),
            client: fc.constantFrom('id:guesser', 'id:aodeng-laptop', '198.51.100.1'),
          }),
          { maxLength: 150 },
        ),
        fc.constantFrom('100.64.7.9', '100.64.200.1', '10.0.0.5'),
        (attacks, laterAddress) => {
          const clock = clockAt();
          const l = new AttemptLimiter(clock, small);
          const phone = (address: string): Attempt => ({
            account: 'user:aodeng',
            address,
            client: 'id:phone-p-aodeng-4f1c',
            alsoKnownAs: [address],
          });
          const first = l.begin(phone('10.0.0.5'));
          expect(first.ok).toBe(true);
          if (first.ok) l.succeed(first.ticket);
          for (const a of attacks) {
            clock.t += a.dt;
            const r = l.begin({
              account: 'user:aodeng',
              address: a.addr,
              client: a.client,
              alsoKnownAs: [a.addr],
            });
            if (r.ok) l.fail(r.ticket);
          }
          // the carrier gave the phone another address: its client id is still known
          const later = l.begin(phone(laterAddress));
          expect(later.ok).toBe(true);
          if (later.ok) {
            expect(later.ticket.known).toBe(true);
            l.succeed(later.ticket);
          }
          // and the new address is known for this account from now on, under any client id (its
          // own bucket, which guesses from that same address may have delayed)
          const sameAddress = l.begin({
            account: 'user:aodeng',
            address: laterAddress,
            client: laterAddress,
          });
          if (sameAddress.ok) expect(sameAddress.ticket.known).toBe(true);
          else expect(sameAddress.bucket).toBe('client');
        },
      ),
    );
  });

  it('property: whatever happened, waiting out the answered delay admits the next attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 }), (failures, addrs) => {
        const clock = clockAt();
        const l = new AttemptLimiter(clock, small);
        for (let i = 0; i < failures; i++) {
          const r = l.begin({ account: 'user:x', address: `a${i % (addrs + 1)}` });
          if (r.ok) l.fail(r.ticket);
          else clock.t += r.retryAfterMs;
        }
        const r = l.begin({ account: 'user:x', address: 'a0' });
        if (!r.ok) {
          expect(r.retryAfterMs).toBeLessThanOrEqual(small.address.maxDelayMs);
          clock.t += r.retryAfterMs;
          expect(l.begin({ account: 'user:x', address: 'a0' }).ok).toBe(true);
        }
      }),
    );
  });
});
