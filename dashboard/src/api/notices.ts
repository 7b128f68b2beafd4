import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { ApiError, ok } from './http.ts';

/**
 * Broadcast notices (the broadcast module's API). The composer is shown only when the hub has it:
 * a 404 from the list route means the module is not installed on this hub.
 */
export type NoticeRecord = InferResponseType<typeof api.api.notices.$get, 200>['notices'][number];
export type NoticePriority = NoticeRecord['priority'];
export const NOTICE_PRIORITIES: readonly NoticePriority[] = ['emergency', 'warning', 'information'];

/** POST /api/notices body (the hub's `noticeDraftSchema`, strict). */
export type NoticeInput = InferRequestType<typeof api.api.notices.$post>['json'];

export type NoticeProgress = InferResponseType<(typeof api.api.notices)[':id']['progress']['$get'], 200>;
export type UnitProgress = NoticeProgress['total'];

let available: Promise<boolean> | null = null;

/** True when the hub serves the notice API (asked once per page load while it answers). */
export function noticesAvailable(): Promise<boolean> {
  available ??= ok(api.api.notices.$get({ query: { active: '1' } })).then(
    () => true,
    (e) => {
      available = null; // ask again next time (e.g. after signing in)
      return !(e instanceof ApiError && (e.status === 404 || e.status === 401));
    },
  );
  return available;
}

export async function listNotices(): Promise<NoticeRecord[]> {
  return (await ok(api.api.notices.$get({ query: {} }))).notices;
}

export function createNotice(n: NoticeInput): Promise<NoticeRecord> {
  return ok(api.api.notices.$post({ json: n }));
}

export function noticeProgress(
  id: string,
  level: 'grid' | 'gacha' | 'sumu' | 'banner' = 'grid',
): Promise<NoticeProgress> {
  return ok(
    api.api.notices[':id'].progress.$get({ param: { id: encodeURIComponent(id) }, query: { level } }),
  );
}
