/**
 * ULIDs (the edge agent's message ids: 26 Crockford base32 characters, 128 bits) as 16 bytes, so
 * an SOS id costs 16 bytes in a short message instead of 26. Only the canonical form (upper case,
 * first character 0-7) round-trips; anything else is not a ULID.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export const isCanonicalUlid = (id: string): boolean => ULID_PATTERN.test(id);

export function ulidToBytes(id: string): Uint8Array | undefined {
  if (!isCanonicalUlid(id)) return undefined;
  let n = 0n;
  for (const ch of id) n = (n << 5n) | BigInt(CROCKFORD.indexOf(ch));
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export function ulidFromBytes(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes.subarray(0, 16)) n = (n << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}
