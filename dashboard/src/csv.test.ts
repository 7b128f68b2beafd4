import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv.ts';
import { translator } from './i18n/index.ts';
import { statsCsv } from './views/stats-csv.ts';

describe('CSV', () => {
  it('quotes commas, quotes and line breaks; leaves plain text alone', () => {
    expect(csvCell('巴音哈太嘎查')).toBe('巴音哈太嘎查');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(-3)).toBe('-3');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+86 139')).toBe("'+86 139");
  });

  it('starts with a BOM and uses CRLF line ends', () => {
    const text = toCsv(['a', 'b'], [[1, 'x']]);
    expect(text).toBe('\uFEFFa,b\r\n1,x\r\n');
  });

  it('exports the league table with localized headers and times in seconds', () => {
    const rows = [
      {
        rank: 1,
        unitId: '150824-104-007-03',
        name: { zh: '巴音哈太嘎查三组', mn: 'ᠪᠠᠶᠠᠨ', en: 'Bayan Hatai group 3' },
        count: 4,
        ackMedianMs: 95_400,
        ackP90Ms: 170_000,
        resolveMedianMs: 3_600_000,
        resolveP90Ms: null,
        escalations: 1,
        unacknowledged: 0,
      },
    ];
    const text = statsCsv(rows, translator('zh'), { from: '2025-01-01 00:00:00', to: '2025-03-31 23:59:59' });
    const [header, line] = text.slice(1).split('\r\n');
    expect(header).toBe(
      'rank,from,to,unit_id,单位,警情数,确认中位数 (s),确认P90 (s),处置中位数 (s),处置P90 (s),升级次数,未确认',
    );
    expect(line).toBe(
      '1,2025-01-01 00:00:00,2025-03-31 23:59:59,150824-104-007-03,巴音哈太嘎查三组,4,95,170,3600,,1,0',
    );
  });
});
