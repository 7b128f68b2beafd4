import { describe, expect, it } from 'vitest';
import { LANGS } from './common.ts';
import { describeWireError, WIRE_ERROR_CODES } from './errors.ts';

describe('describeWireError', () => {
  it('has a non-empty headline in zh, mn and en for every code', () => {
    for (const code of WIRE_ERROR_CODES) {
      for (const lang of LANGS)
        expect(describeWireError({ code }, lang).trim().length, `${code}/${lang}`).toBeGreaterThan(0);
      expect(describeWireError({ code }, 'zh')).toMatch(/[\u4e00-\u9fff]/);
      expect(describeWireError({ code }, 'mn')).toMatch(/[\u1820-\u18af]/);
      expect(describeWireError({ code }, 'en')).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('gives different headlines for different codes', () => {
    for (const lang of LANGS) {
      const texts = WIRE_ERROR_CODES.map((code) => describeWireError({ code }, lang));
      expect(new Set(texts).size, lang).toBe(WIRE_ERROR_CODES.length);
    }
  });
});
