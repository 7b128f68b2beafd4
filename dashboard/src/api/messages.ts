import type { InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ok } from './http.ts';

/**
 * The SOS conversation between the household's box and the responders (issue #27), as
 * `GET /api/incidents/:id/messages` returns it, typed from the route: who said what, a canned
 * phrase in zh/mn/en, and each copy's delivery record (the box's, or each paged phone's).
 */
export type ConversationMessage = InferResponseType<
  (typeof api.api.incidents)[':id']['messages']['$get'],
  200
>['items'][number];

/** The order a copy's status reaches the reader: a later one says more. */
const PROGRESS = ['failed', 'no-listener', 'pending', 'retry', 'queued', 'delivered', 'read'];

/**
 * How far a message got: the furthest any of its copies got (a household's reply is read once one
 * paged person opened it), or undefined when it has no copy (nobody with the app was paged yet).
 */
export function messageState(m: Pick<ConversationMessage, 'copies'>): string | undefined {
  let best: string | undefined;
  for (const c of m.copies) {
    if (best === undefined || PROGRESS.indexOf(c.status) > PROGRESS.indexOf(best)) best = c.status;
  }
  return best;
}

export async function listMessages(id: string): Promise<ConversationMessage[]> {
  const res = await ok(api.api.incidents[':id'].messages.$get({ param: { id: encodeURIComponent(id) } }));
  return res.items;
}

/** Sends the household a short text; `clientId` makes a retry after a lost answer apply once. */
export async function sendMessage(id: string, text: string, clientId: string): Promise<void> {
  await ok(
    api.api.incidents[':id'].messages.$post({
      param: { id: encodeURIComponent(id) },
      json: { id: clientId, text },
    }),
  );
}
