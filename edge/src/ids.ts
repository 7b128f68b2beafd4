import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULID-style message ids (26 characters: 48-bit time + 80 random bits, Crockford base32),
 * monotonic within one factory so ids sort in creation order even within one millisecond.
 * `now` and `random` are injectable for tests and the simulator.
 */
export function createIdFactory(
  now: () => number,
  random: (n: number) => Uint8Array = randomBytes,
): () => string {
  let lastMs = -1;
  let last: Uint8Array = new Uint8Array(10);
  return () => {
    const ms = Math.max(0, Math.floor(now()));
    if (ms <= lastMs) {
      last = increment(last);
    } else {
      lastMs = ms;
      last = Uint8Array.from(random(10));
    }
    return encodeTime(Math.max(ms, lastMs)) + encodeRandom(last);
  };
}

function increment(bytes: Uint8Array): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const b = next[i] ?? 0;
    if (b < 255) {
      next[i] = b + 1;
      return next;
    }
    next[i] = 0;
  }
  return next; // wrapped after 2^80 ids in one ms: not reachable in practice
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}
