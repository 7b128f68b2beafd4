import { describe, expect, it } from 'vitest';
import { decode, encode, validate } from './codec.ts';
import { fixtures } from './fixtures.ts';
import { MESSAGE_KINDS, MESSAGES } from './messages.ts';

describe('fixtures', () => {
  it('cover every message kind, and nothing else', () => {
    expect(Object.keys(fixtures).sort()).toEqual([...MESSAGE_KINDS].sort());
    for (const kind of MESSAGE_KINDS) expect(fixtures[kind].length, kind).toBeGreaterThan(0);
  });

  for (const kind of MESSAGE_KINDS) {
    it(`every ${kind} fixture validates, encodes and decodes`, () => {
      for (const fixture of fixtures[kind]) {
        const checked = validate(kind, fixture);
        expect(checked, JSON.stringify(!checked.ok && checked.error)).toMatchObject({ ok: true });
        const encoded = encode(kind, fixture as never);
        expect(encoded.ok).toBe(true);
        if (encoded.ok)
          expect(decode(kind, encoded.value)).toEqual({
            ok: true,
            value: MESSAGES[kind].schema.parse(fixture),
          });
      }
    });
  }

  it('have unique message ids within a kind', () => {
    for (const kind of MESSAGE_KINDS) {
      const ids = fixtures[kind].map((f) => f.id);
      expect(new Set(ids).size, kind).toBe(ids.length);
    }
  });

  it('place every position in the Urad banners', () => {
    const positions = JSON.stringify(fixtures).matchAll(/"lat":([\d.]+),"lon":([\d.]+)/g);
    let n = 0;
    for (const [, lat, lon] of positions) {
      n++;
      expect(Number(lat)).toBeGreaterThanOrEqual(41);
      expect(Number(lat)).toBeLessThanOrEqual(42.7);
      expect(Number(lon)).toBeGreaterThanOrEqual(105.8);
      expect(Number(lon)).toBeLessThanOrEqual(109.2);
    }
    expect(n).toBeGreaterThan(0);
  });
});
