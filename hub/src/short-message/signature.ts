import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The gateway contract's signature: `X-SteppeLink-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA-256(gateway secret, `${t}.${raw body}`). The timestamp bounds how long a
 * captured POST can be replayed (`toleranceMs`); the message inside carries the device's own MAC
 * as well, so a leaked gateway secret alone cannot make an SOS. The same header signs the hub's
 * outbound POSTs to the SMS gateway, so the gateway can check them the same way.
 */
export const SIGNATURE_HEADER = 'x-steppelink-signature';
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000; // a gateway's clock may be a few minutes off

export function sign(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export function checkSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs: number,
  toleranceMs = SIGNATURE_TOLERANCE_MS,
): { ok: true } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) {
    return { ok: false, reason: 'the signature header is not t=<seconds>,v1=<hex>' };
  }
  if (Math.abs(nowMs - t * 1000) > toleranceMs)
    return { ok: false, reason: 'the signature is too old or too new' };
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const got = Buffer.from(parts.v1!, 'hex');
  return timingSafeEqual(expected, got)
    ? { ok: true }
    : { ok: false, reason: 'the signature does not match' };
}
