import {
  CANNED_REPLY_TEXTS,
  type CannedReply,
  messageIdSchema,
  shortTextSchema,
} from '@steppelink/protocols';
import { Hono } from 'hono';
import { z } from 'zod';
import { type ApiEnv, canActAs, canSee } from '../api/context.ts';
import { apiError, notFound } from '../api/errors.ts';
import { doc } from '../api/openapi.ts';
import { zJson } from '../api/validate.ts';
import { monotonicUlids } from '../ids.ts';
import type { IncidentApiDeps } from './api.ts';
import { ACT_ROLES, actorOf } from './api.ts';
import { messageKey } from './outbox.ts';
import { viewOf } from './view.ts';

const messageBody = z
  .object({
    /** Client-made id: a phone on a weak link can retry without sending the text twice. */
    id: messageIdSchema.optional().describe('idempotency key: the same id is applied once'),
    text: shortTextSchema,
  })
  .strict();

/** Nothing to say: opening it is the whole act (JSON `{}`, like the incident actions' bodies). */
const readBody = z.object({}).strict();

/** One copy of a message and how far it got, as GET …/messages answers it (a `deliveries` row). */
interface CopyRow {
  key: string;
  person: string | null;
  device: string | null;
  status: string;
  deliveredAt: number | null;
  updatedAt: number;
}

/**
 * /api/incidents/:id/messages (issue #27): the SOS conversation between the household's box and
 * the responders. Reading it needs the incident in your units; writing (a short text for the
 * box) and marking read need a duty role there, like the incident actions.
 */
export function messageRoutes(d: IncidentApiDeps) {
  const reg = () => d.ctx().registry;
  const db = () => d.ctx().db;
  const ulid = monotonicUlids();

  return new Hono<ApiEnv>()
    .get(
      '/incidents/:id/messages',
      doc(
        'incidents',
        'The SOS conversation: every message, its phrase in zh/mn/en, and each copy’s delivery',
        {
          description:
            'Each message with `from` (household or responder), who said it, a canned code with its ' +
            'phrase in every language, the text, and `copies`: the box’s copy (device) or each paged ' +
            'person’s (person) with its status — queued, delivered (the receiver’s PUBACK), read ' +
            '(its read receipt), no-listener, failed.',
        },
      ),
      (c) => {
        const p = c.get('principal');
        const inc = d.engine().get(c.req.param('id'));
        if (!inc || !canSee(reg(), p, inc.unit)) return notFound(c, 'incident', c.req.param('id'));
        const copies = db()
          .prepare(
            `SELECT key, person, device, status, delivered_at AS deliveredAt, updated_at AS updatedAt
             FROM deliveries WHERE incident_id = ? AND kind IN ('message', 'sos-msg') ORDER BY id`,
          )
          .all(inc.id) as CopyRow[];
        const items = d
          .engine()
          .timeline(inc.id)
          .filter((l) => l.type === 'message')
          .map((l) => {
            const data = l.data ?? {};
            const id = String(data.id);
            const canned = data.canned as CannedReply | undefined;
            const mine = copies.filter(
              (r) => r.key === messageKey(id) || r.key.startsWith(`${messageKey(id)}:`),
            );
            return {
              id,
              at: l.at,
              from: data.from as 'household' | 'responder',
              via: data.via as 'mqtt' | 'http',
              by: { id: l.actor, name: l.actorName, role: l.actorRole },
              ...(canned ? { canned, texts: CANNED_REPLY_TEXTS[canned] } : {}),
              ...(typeof data.text === 'string' ? { text: data.text } : {}),
              copies: mine.map(({ key: _k, ...r }) => r),
            };
          });
        return c.json({ items, count: items.length });
      },
    )
    .post(
      '/incidents/:id/messages',
      doc('incidents', 'Send the household a short text during its SOS (shown on its TV)', { status: 201 }),
      zJson(messageBody),
      async (c) => {
        const id = c.req.param('id');
        await d.engine().committed(id);
        const p = c.get('principal');
        const body = c.req.valid('json');
        const inc = d.engine().get(id);
        if (!inc || !canSee(reg(), p, inc.unit)) return notFound(c, 'incident', id);
        if (!canActAs(reg(), p, inc.unit, ACT_ROLES)) {
          return apiError(
            c,
            403,
            'forbidden',
            `your roles do not let you write to households in ${inc.unit}`,
          );
        }
        const messageId = body.id ?? `msg-${ulid(d.ctx().clock.now())}`;
        const r = await d.engine().message(
          inc.id,
          { id: messageId, from: 'responder', actor: actorOf(p), text: body.text, via: 'http' },
          { source: 'sos-msg', id: messageId }, // one id space for every responder: an id is one message
        );
        if (!r.ok) return apiError(c, r.status, r.status === 409 ? 'conflict' : 'not_found', r.error);
        return c.json({ id: messageId, incident: viewOf(reg(), r.incident, db()) }, 201);
      },
    )
    .post(
      '/incidents/:id/messages/:messageId/read',
      doc('incidents', 'I opened the household’s message: my copy becomes read'),
      zJson(readBody),
      async (c) => {
        const p = c.get('principal');
        const inc = d.engine().get(c.req.param('id'));
        if (!inc || !canSee(reg(), p, inc.unit)) return notFound(c, 'incident', c.req.param('id'));
        if (!canActAs(reg(), p, inc.unit, ACT_ROLES)) {
          return apiError(c, 403, 'forbidden', `your roles do not let you act on incidents in ${inc.unit}`);
        }
        const messageId = c.req.param('messageId');
        const ok = await d.engine().read(inc.id, messageId, actorOf(p), { person: p.personId });
        if (!ok) return notFound(c, 'household message', messageId);
        return c.json({ read: true });
      },
    );
}
