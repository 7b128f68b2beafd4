import type { Texts } from '@steppelink/protocols';
import type { NoticeRecord, UnitProgress } from '../../../hub/src/broadcast/store.ts';
import { ApiError, request } from './http.ts';

/**
 * Broadcast notices (the broadcast module's API). The composer is shown only when the hub has it:
 * a 404 from the list route means the module is not installed on this hub.
 */
export type { NoticeRecord, UnitProgress };
export type NoticePriority = NoticeRecord['priority'];
export const NOTICE_PRIORITIES: readonly NoticePriority[] = ['emergency', 'warning', 'information'];

/** POST /api/notices body (the hub's `noticeDraftSchema`, strict). */
export interface NoticeInput {
  targets: string[];
  priority: NoticePriority;
  texts: Texts;
  validFrom?: number;
  expiresAt?: number;
  requireRead?: boolean;
}

export interface NoticeProgress {
  noticeId: string;
  state: NoticeRecord['state'];
  total: UnitProgress;
  units: (UnitProgress & { name?: Texts })[];
}

let available: Promise<boolean> | null = null;

/** True when the hub serves the notice API (asked once per page load while it answers). */
export function noticesAvailable(): Promise<boolean> {
  available ??= request('/api/notices', { query: { active: 1 } }).then(
    () => true,
    (e) => {
      available = null; // ask again next time (e.g. after signing in)
      return !(e instanceof ApiError && (e.status === 404 || e.status === 401));
    },
  );
  return available;
}

export async function listNotices(): Promise<NoticeRecord[]> {
  return (await request<{ notices: NoticeRecord[] }>('/api/notices')).notices;
}

export function createNotice(n: NoticeInput): Promise<NoticeRecord> {
  return request<NoticeRecord>('/api/notices', { body: n });
}

export function noticeProgress(
  id: string,
  level: 'grid' | 'gacha' | 'sumu' | 'banner' = 'grid',
): Promise<NoticeProgress> {
  return request<NoticeProgress>(`/api/notices/${encodeURIComponent(id)}/progress`, { query: { level } });
}
