import { request } from './http.ts';

/** The worker's field actions: check-in (打卡) and event reports (事件上报). */
export interface GeoFix {
  lat: number;
  lon: number;
  acc?: number;
}

export const REPORT_CATEGORIES = [
  'dispute',
  'livelihood',
  'hazard',
  'fire',
  'livestock',
  'lost-person',
  'other',
] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export function checkIn(body: { pos: GeoFix; at: number; unitId?: string; note?: string }) {
  return request<Record<string, unknown>>('/api/checkins', { body });
}

export function report(body: { category: ReportCategory; note: string; unitId?: string; pos?: GeoFix }) {
  return request<Record<string, unknown>>('/api/reports', { body });
}

/** The phone's position, once (high accuracy, at most 20 s). */
export function currentPosition(timeoutMs = 20_000): Promise<GeoFix> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('geolocation unavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, acc: Math.round(p.coords.accuracy) }),
      (e) => reject(new Error(e.message || `geolocation error ${e.code}`)),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}
