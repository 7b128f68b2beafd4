import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.ts';

describe('LineSplitter', () => {
  it('splits LF and CRLF lines across chunk borders, UTF-8 safe', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('water wp-巴音-1 level=42\r\ngate g');
    const cut = 8; // inside the multi-byte character
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(['water wp-巴音-1 level=42']);
    expect(s.push('ate-0007 count=312\n')).toEqual(['gate gate-0007 count=312']);
    expect(s.end()).toEqual([]);
  });

  it('drops over-long lines whole and counts them, then carries on', () => {
    const s = new LineSplitter(16);
    expect(s.push('x'.repeat(10))).toEqual([]);
    expect(s.push('y'.repeat(10))).toEqual([]);
    expect(s.push('zzz\nok line\n')).toEqual(['ok line']);
    expect(s.push(`${'q'.repeat(40)}\nfine\n`)).toEqual(['fine']);
    expect(s.dropped).toBe(2);
  });

  it('returns a last unterminated line at the end', () => {
    const s = new LineSplitter();
    s.push('sos');
    expect(s.end()).toEqual(['sos']);
  });
});
