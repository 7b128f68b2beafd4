import { api } from './client.ts';
import { ok } from './http.ts';

/** The worker's field actions: check-in (打卡) and event reports (事件上报). */
export interface GeoFix {
  lat: number;
  lon: number;
  acc?: number;
}

/** The categories POST /api/reports takes. */
export const REPORT_CATEGORIES = ['dispute', 'livelihood', 'hazard', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** 打卡. The hub route is POST /api/checkins; a hub without it answers 404 (shown as such). */
export function checkIn(body: { pos: GeoFix; at: number; unit?: string; note?: string }) {
  return ok(api.api.checkins.$post({ json: body }));
}

/** A client-made id: a phone on a weak link may retry the same report without making a second one. */
export const newReportId = () => `rpt-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** 事件上报 (POST /api/reports): opens an incident in the worker's unit. */
export function report(body: {
  id: string;
  category: ReportCategory;
  note: string;
  unit?: string;
  pos?: GeoFix;
}) {
  return ok(api.api.reports.$post({ json: body }));
}

/** The phone's position, once (high accuracy, at most `timeoutMs`). */
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
