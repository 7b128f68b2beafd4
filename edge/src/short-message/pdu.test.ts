import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeliver, decodeSubmit, deliverPdu, isGsm7, submitPdu } from './pdu.ts';

const gsmText = fc.stringMatching(/^[A-Za-z0-9 _+\-/.:,]{0,160}$/);
const ucsText = fc
  .array(fc.constantFrom(...'已收到求救网格员巴特尔ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠢᠷᠡᠵᠦ'), { maxLength: 70 })
  .map((a) => a.join(''));
const number = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{5,15}$/)).map(([p, d]) => (p ? `+${d}` : d));

describe('SMS PDUs (3GPP TS 23.040)', () => {
  it('an SMS-SUBMIT reads back to its number and text, GSM 7-bit or UCS-2', () => {
    fc.assert(
      fc.property(number, fc.oneof(gsmText, ucsText), (to, text) => {
        const s = submitPdu(to, text);
        expect(s.length).toBe(s.pdu.length / 2 - 1);
        expect(decodeSubmit(s.pdu)).toEqual({ to, text });
      }),
    );
  });
  it('an SMS-DELIVER decodes to its sender and text', () => {
    fc.assert(
      fc.property(number, fc.oneof(gsmText, ucsText), (from, text) => {
        expect(decodeDeliver(deliverPdu(from, text))).toEqual({ from, text });
      }),
    );
  });
  it('decodes a PDU as a real modem gives it (SMSC prefix, GSM 7-bit "hellohello")', () => {
    // the worked SMS-DELIVER example of many modem manuals (SMSC +27381000015): "hellohello"
    expect(decodeDeliver('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37')).toEqual(
      {
        from: '27838890001', // type 0xC8: not international, so no +
        text: 'hellohello',
      },
    );
    expect(isGsm7('SL1 AbC_-09')).toBe(true);
    expect(isGsm7('已收到')).toBe(false);
  });
});
