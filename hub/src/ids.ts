import { randomFillSync } from 'node:crypto';
import { monotonicFactory, ulid } from 'ulid';

/**
 * ULIDs for the hub's own records (incidents, notices, schedules, sessions). ulid's default
 * PRNG asks WebCrypto for one byte per character — sixteen calls per id, ≈ 0.1 ms, on the SOS
 * path. Here the bytes come from the same CSPRNG, fetched 4 KiB at a time.
 */
export function pooledRandom(poolBytes = 4096): () => number {
  const pool = new Uint8Array(poolBytes);
  let next = poolBytes;
  return () => {
    if (next === poolBytes) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

const random = pooledRandom();

/** A ULID of `seedTime` (epoch ms). */
export const ulidAt = (seedTime: number): string => ulid(seedTime, random);

/**
 * A generator monotonic within a millisecond, so ids made in one transaction sort in creation
 * order. One per owner: a shared one would carry a later time into another clock's ids.
 */
export const monotonicUlids = (): ((seedTime: number) => string) => monotonicFactory(random);
