import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/index.ts';
import { fixText, lastFix, placeLine, powerText } from './facts.ts';

const tx = (zh: string, en: string) => ({ zh, mn: zh, en });
const PLACE = [
  { id: '150800', level: 'league', name: tx('巴彦淖尔市', 'Bayannur') },
  { id: '150824', level: 'banner', name: tx('乌拉特中旗', 'Urad Middle Banner') },
  { id: '150824-104', level: 'sumu', name: tx('巴音乌兰苏木', 'Bayan Ulaan Sumu') },
  { id: '150824-104-007', level: 'gacha', name: tx('巴音哈太嘎查', 'Bayan Hatai Gacha') },
  { id: '150824-104-007-03', level: 'grid', name: tx('巴音哈太嘎查三组', 'Group 3') },
];

describe('incident facts', () => {
  it('names the place from the sumu down to the household, without repeating the village in the grid', () => {
    expect(placeLine(PLACE, '其其格', 'zh')).toBe('巴音乌兰苏木 › 巴音哈太嘎查 › 三组 › 其其格');
    expect(placeLine(PLACE, undefined, 'en')).toBe('Bayan Ulaan Sumu › Bayan Hatai Gacha › Group 3');
    expect(placeLine(PLACE, '其其格', 'zh', { all: true })).toBe(
      '巴彦淖尔市 › 乌拉特中旗 › 巴音乌兰苏木 › 巴音哈太嘎查 › 三组 › 其其格',
    );
    // an incident of a banner (a rule's alert) still says where
    expect(placeLine(PLACE.slice(0, 2), undefined, 'en')).toBe('Urad Middle Banner');
    expect(placeLine([], undefined, 'en')).toBe('');
  });

  it('says the power source and the battery', () => {
    expect(powerText({ source: 'battery', battery: 40 }, translator('en'))).toBe('Battery, 40% charge');
    expect(powerText({ source: 'mains', battery: null }, translator('zh'))).toBe('市电');
    expect(powerText(undefined, translator('en'))).toBeNull();
  });

  it('takes the newest fix and gives its accuracy and age', () => {
    const pos = { lat: 42.1213, lon: 108.4382, acc: 12, t: 1_000 };
    expect(lastFix(pos, [{ t: 500, lat: 1, lon: 2 }])).toBe(pos);
    expect(lastFix(pos, [{ t: 5_000, lat: 42.2, lon: 108.5 }])).toEqual({ lat: 42.2, lon: 108.5, t: 5_000 });
    expect(lastFix(undefined, [])).toBeNull();
    expect(fixText(pos, 181_000, translator('en'))).toBe('42.12130, 108.43820 · ±12 m · 3 min ago');
  });
});
