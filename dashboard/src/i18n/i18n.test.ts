import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { DICTS, interpolate, LANGS, translator } from './index.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const MONGOLIAN = /[\u1800-\u18AF]/;
const HAN = /[\u4E00-\u9FFF]/;

describe('i18n', () => {
  const keys = Object.keys(en).sort();

  it.each(LANGS)('%s has exactly the English key set, every text non-empty', (lang) => {
    const dict = DICTS[lang];
    expect(Object.keys(dict).sort()).toEqual(keys);
    for (const k of keys) expect(dict[k as keyof typeof en].trim(), `${lang}:${k}`).not.toBe('');
  });

  it.each(LANGS)('%s keeps every placeholder of the English text', (lang) => {
    for (const k of keys) {
      const key = k as keyof typeof en;
      expect(placeholders(DICTS[lang][key]), `${lang}:${k}`).toEqual(placeholders(en[key]));
    }
  });

  it('Mongolian texts are in traditional script and Chinese texts in Han characters (not left in English)', () => {
    const words = keys.filter((k) => /[A-Za-z]{3,}/.test(en[k as keyof typeof en].replace(/\{\w+\}/g, '')));
    const notMongolian = words.filter((k) => !MONGOLIAN.test(DICTS.mn[k as keyof typeof en]));
    const notChinese = words.filter((k) => !HAN.test(DICTS.zh[k as keyof typeof en]));
    // a few labels are the same everywhere (CSV, P90): allow them only if they say so explicitly
    const sameEverywhere = ['stats.export', 'stats.col.ackP90', 'stats.col.resolveP90'];
    expect(notMongolian.filter((k) => !sameEverywhere.includes(k))).toEqual([]);
    expect(notChinese.filter((k) => !sameEverywhere.includes(k))).toEqual([]);
  });

  it('interpolates named placeholders and leaves unknown ones visible', () => {
    expect(interpolate('{n} of {m}', { n: 3 })).toBe('3 of {m}');
    expect(translator('zh')('board.overdue', { t: '00:12' })).toBe('已超时 00:12');
    expect(translator('en')('dev.count', { n: 9, online: 4 })).toBe('9 devices, 4 online');
  });

  it('dyn() falls back for run-time keys the dictionary lacks', () => {
    const t = translator('mn');
    expect(t.dyn('cat.blizzard', 'x')).toBe('ᠴᠠᠭᠠᠨ ᠵᠤᠳ');
    expect(t.dyn('cat.meteor-strike', 'meteor-strike')).toBe('meteor-strike');
  });
});
