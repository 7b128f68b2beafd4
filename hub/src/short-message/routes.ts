import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiError } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { invalidJson } from '../api/validate.ts';
import { type InboundResult, type InboundShort, inboundShortSchema } from './inbound.ts';
import { checkSignature, SIGNATURE_HEADER } from './signature.ts';

export const GATEWAY_PATH = '/gateway/short-message';

const DESCRIPTION = `What an SMS gateway (or gammu-smsd through \`steppelink-hub sms-in\`) or a BeiDou
command-centre receiver posts for every short message it receives. No session: the POST is signed
with the gateway secret (STEPPELINK_GATEWAY_SECRET) in \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex>\`,
v1 = HMAC-SHA-256(secret, "<t>.<raw body>"), at most 5 minutes off the hub's clock; the message
inside carries the device's own truncated HMAC. 200: accepted, raised or joined to the press's
incident (also for a copy already applied, or a retried POST with the same messageId); 401: bad
signature; 422: refused and dead-lettered (code forged, replayed, unknown_device or schema);
503: no gateway secret configured.`;

/** `POST /gateway/short-message`: the inbound gateway contract (README "SOS over SMS and BeiDou"). */
export function gatewayRoutes(deps: {
  secret: () => string | undefined;
  now: () => number;
  receive: (m: InboundShort) => Promise<InboundResult>;
}) {
  return new Hono().post(
    GATEWAY_PATH,
    doc('incidents', 'Inbound SOS short message (SMS gateway or BeiDou receiver webhook)', {
      public: true,
      body: inboundShortSchema,
      description: DESCRIPTION,
    }),
    bodyLimit({ maxSize: 4096, onError: (c) => apiError(c, 413, 'too_large', 'at most 4096 bytes') }),
    async (c) => {
      const secret = deps.secret();
      if (!secret) {
        return apiError(
          c,
          503,
          'not_configured',
          'the inbound gateway is off: set STEPPELINK_GATEWAY_SECRET on the hub',
        );
      }
      const raw = await c.req.text();
      const sig = checkSignature(secret, c.req.header(SIGNATURE_HEADER), raw, deps.now());
      if (!sig.ok) return apiError(c, 401, 'bad_signature', sig.reason);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (e) {
        return invalidJson(c, e instanceof Error ? e.message : undefined);
      }
      const input = inboundShortSchema.safeParse(json);
      if (!input.success) {
        const first = input.error.issues[0];
        return apiError(
          c,
          400,
          'invalid_body',
          `${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`,
        );
      }
      const r = await deps.receive(input.data);
      if (r.status === 'refused') return apiError(c, 422, r.reason, r.detail);
      return c.json(r, 200);
    },
  );
}
