/**
 * SMS PDUs (3GPP TS 23.040) for a modem in PDU mode (3GPP TS 27.005 AT+CMGF=0): an SMS-SUBMIT in
 * the GSM 7-bit default alphabet (TS 23.038) or UCS-2, and an SMS-DELIVER read back. Single-part
 * messages only: the SOS short message and the hub's sos-ack each fit one SMS by design.
 */
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

export const isGsm7 = (text: string): boolean => [...text].every((c) => c !== '\x1b' && GSM7.includes(c));

const hex = (b: number[]) =>
  b
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();

function address(number: string): number[] {
  const intl = number.startsWith('+');
  const digits = number.replace(/[^0-9]/g, '');
  const bytes = [digits.length, intl ? 0x91 : 0x81];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = Number(digits[i]);
    const hi = i + 1 < digits.length ? Number(digits[i + 1]) : 0xf;
    bytes.push((hi << 4) | lo);
  }
  return bytes;
}

function pack7(septets: number[]): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const s of septets) {
    acc |= s << bits;
    bits += 7;
    while (bits >= 8) {
      out.push(acc & 0xff);
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out.push(acc & 0xff);
  return out;
}

function unpack7(bytes: Uint8Array, count: number, skipBits = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = skipBits + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    const v = ((bytes[byte] ?? 0) | ((bytes[byte + 1] ?? 0) << 8)) >> shift;
    out.push(v & 0x7f);
  }
  return out;
}

/** An SMS-SUBMIT PDU (no SMSC address: the SIM's), and the TPDU length AT+CMGS takes. */
export function submitPdu(to: string, text: string, statusReport = true): { pdu: string; length: number } {
  const gsm = isGsm7(text);
  const ud = gsm ? pack7([...text].map((c) => GSM7.indexOf(c))) : [...Buffer.from(text, 'utf16le').swap16()];
  const udl = gsm ? [...text].length : ud.length;
  if ((gsm && udl > 160) || (!gsm && udl > 140)) throw new Error('the text does not fit one SMS');
  const tpdu = [statusReport ? 0x31 : 0x11, 0x00, ...address(to), 0x00, gsm ? 0x00 : 0x08, 0xaa, udl, ...ud];
  return { pdu: `00${hex(tpdu)}`, length: tpdu.length };
}

export interface Deliver {
  from: string;
  text: string;
}

/** Decodes an SMS-DELIVER PDU (with its SMSC prefix, as AT+CMGR gives it in PDU mode). */
export function decodeDeliver(pduHex: string): Deliver | undefined {
  if (!/^([0-9A-Fa-f]{2})+$/.test(pduHex)) return undefined;
  const b = Buffer.from(pduHex, 'hex');
  let o = 1 + (b[0] ?? 0);
  const fo = b[o++] ?? 0;
  if ((fo & 0x03) !== 0) return undefined; // not an SMS-DELIVER
  const oaDigits = b[o++] ?? 0;
  const oaType = b[o++] ?? 0;
  const oaBytes = Math.ceil(oaDigits / 2);
  const oa = b.subarray(o, o + oaBytes);
  o += oaBytes;
  let from: string;
  if ((oaType & 0x70) === 0x50) {
    from = unpack7(oa, Math.floor((oaDigits * 4) / 7))
      .map((s) => GSM7[s] ?? '?')
      .join('');
  } else {
    from = [...oa]
      .flatMap((x) => [x & 0xf, x >> 4])
      .filter((d) => d !== 0xf)
      .slice(0, oaDigits)
      .join('');
    if ((oaType & 0x70) === 0x10) from = `+${from}`;
  }
  o += 1; // PID
  const dcs = b[o++] ?? 0;
  o += 7; // service centre time stamp
  const udl = b[o++] ?? 0;
  const ud = b.subarray(o);
  const udhl = fo & 0x40 ? (ud[0] ?? 0) + 1 : 0;
  const alphabet = (dcs & 0x0c) >> 2;
  if (alphabet === 2) {
    const body = Buffer.from(ud.subarray(udhl, udl));
    return { from, text: body.swap16().toString('utf16le') };
  }
  if (alphabet === 0) {
    const skip = udhl === 0 ? 0 : Math.ceil((udhl * 8) / 7) * 7;
    const septets = unpack7(ud, udl, 0).slice(skip / 7);
    return { from, text: septets.map((s) => (s === 0x1b ? '' : (GSM7[s] ?? '?'))).join('') };
  }
  return { from, text: Buffer.from(ud.subarray(udhl, udl)).toString('latin1') };
}

/** Builds an SMS-DELIVER (for simulated modems and tests): the mirror of `decodeDeliver`. */
export function deliverPdu(from: string, text: string): string {
  const gsm = isGsm7(text);
  const ud = gsm ? pack7([...text].map((c) => GSM7.indexOf(c))) : [...Buffer.from(text, 'utf16le').swap16()];
  const udl = gsm ? [...text].length : ud.length;
  const scts = [0x62, 0x21, 0x70, 0x12, 0x00, 0x00, 0x23];
  return `00${hex([0x04, ...address(from), 0x00, gsm ? 0x00 : 0x08, ...scts, udl, ...ud])}`;
}

/** Reads back the destination and text of an SMS-SUBMIT (simulated modems). */
export function decodeSubmit(pduHex: string): { to: string; text: string } | undefined {
  const b = Buffer.from(pduHex, 'hex');
  let o = 1 + (b[0] ?? 0);
  const fo = b[o++] ?? 0;
  if ((fo & 0x03) !== 1) return undefined;
  o++; // MR
  const digits = b[o++] ?? 0;
  const type = b[o++] ?? 0;
  const n = Math.ceil(digits / 2);
  const to =
    (type === 0x91 ? '+' : '') +
    [...b.subarray(o, o + n)]
      .flatMap((x) => [x & 0xf, x >> 4])
      .filter((d) => d !== 0xf)
      .join('');
  o += n + 1; // PID
  const dcs = b[o++] ?? 0;
  const vpf = (fo >> 3) & 3;
  o += vpf === 2 ? 1 : vpf === 0 ? 0 : 7;
  const udl = b[o++] ?? 0;
  const ud = b.subarray(o);
  const text =
    (dcs & 0x0c) === 0x08
      ? Buffer.from(ud.subarray(0, udl)).swap16().toString('utf16le')
      : unpack7(ud, udl)
          .map((s) => GSM7[s] ?? '?')
          .join('');
  return { to, text };
}
