import type { Texts } from '@steppelink/protocols';
import { formatPosition } from '@steppelink/protocols/geo-format';
import type { Household } from '../../registry/schema.ts';
import type { Incident, TimelineEvent } from '../store.ts';
import { categoryName } from '../texts.ts';
import { type NearestPlace, nearestPlaces, type Place } from './places.ts';
import { RESCUE_NAMES, SEVERITY_NAMES, textOf } from './texts.ts';

/**
 * The rescue handover (issue #24): what an ambulance or air-rescue dispatcher needs about one
 * incident, as one object the JSON export, the GPX, the printed page and the dispatch webhook all
 * come from. `buildHandover` is pure: the routes gather the facts, it decides what to say.
 */
export const HANDOVER_FORMAT = 'steppelink.handover/1';

/** How far back the handover's track goes. */
export const HANDOVER_TRACK_MS = 24 * 3600_000;

export interface TrackPoint {
  t: number;
  lat: number;
  lon: number;
  alt?: number | undefined;
  hdop?: number | undefined;
  speed?: number | undefined;
}

export interface HandoverFacts {
  inc: Incident;
  /** The incident's unit and its ancestors, top down (view.ts placeOf). */
  place: readonly { id: string; level: string; name: Texts }[];
  household: Household | undefined;
  device: { id: string; kind: string; label?: string | undefined } | null;
  timeline: readonly TimelineEvent[];
  /** Positions the device sent after the SOS (attached to the incident). */
  positions: readonly { t: number; lat: number; lon: number }[];
  /** The device's track from the telemetry store, `trackFrom` … `now`. */
  track: readonly TrackPoint[];
  trackFrom: number;
  places: readonly Place[];
  now: number;
  /** For members' ages (the year is the local one). */
  timeZone: string;
}

export type PositionSource = 'sos' | 'track' | 'home';

/** The best position to send someone to: the newest fix, else the household's registered home. */
function bestPosition(f: HandoverFacts) {
  const fixes: {
    t: number;
    lat: number;
    lon: number;
    acc?: number;
    hdop?: number;
    source: PositionSource;
  }[] = [];
  // the telemetry store's copy of a fix first: it keeps the HDOP the incident's copy drops
  const later = [...f.track, ...f.positions];
  // the incident's position is the newest it knows: the SOS's own, or a later fix it took over
  if (f.inc.pos && !later.some((p) => p.t === f.inc.pos?.t)) {
    const { t, lat, lon, acc } = f.inc.pos;
    fixes.push({ t, lat, lon, ...(acc !== undefined ? { acc } : {}), source: 'sos' });
  }
  for (const p of later) {
    const hdop = (p as TrackPoint).hdop;
    fixes.push({ t: p.t, lat: p.lat, lon: p.lon, ...(hdop !== undefined ? { hdop } : {}), source: 'track' });
  }
  // newest first; on a tie the SOS's own fix (it may carry an accuracy)
  const fix = fixes.reduce<(typeof fixes)[number] | undefined>(
    (best, x) => (!best || x.t > best.t ? x : best),
    undefined,
  );
  if (fix) {
    return {
      lat: fix.lat,
      lon: fix.lon,
      source: fix.source,
      at: fix.t,
      ageS: Math.max(0, Math.round((f.now - fix.t) / 1000)),
      /** Horizontal accuracy in metres as the device reported it (null: not reported). */
      accuracyM: fix.acc ?? null,
      hdop: fix.hdop ?? null,
      formats: formatPosition(fix.lat, fix.lon),
    };
  }
  const home = f.household?.location;
  if (!home) return null;
  return {
    lat: home.lat,
    lon: home.lon,
    source: 'home' as PositionSource,
    at: null,
    ageS: null,
    accuracyM: null,
    hdop: null,
    formats: formatPosition(home.lat, home.lon),
  };
}

function yearIn(ms: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(ms));
}

/** Merges the track and the incident's positions into one time-ordered list, one point per instant. */
function mergedTrack(f: HandoverFacts): TrackPoint[] {
  const byT = new Map<number, TrackPoint>();
  for (const p of f.positions) if (p.t >= f.trackFrom && p.t <= f.now) byT.set(p.t, { ...p });
  for (const p of f.track) byT.set(p.t, { ...p });
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

export function buildHandover(f: HandoverFacts) {
  const { inc } = f;
  const position = bestPosition(f);
  const year = yearIn(f.now, f.timeZone);
  const hh = f.household;
  const note = typeof inc.details?.note === 'string' ? inc.details.note : null;
  const nearest: { water: NearestPlace | null; road: NearestPlace | null } = position
    ? nearestPlaces(position, f.places)
    : { water: null, road: null };
  const base = `/api/incidents/${encodeURIComponent(inc.id)}/handover`;
  return {
    format: HANDOVER_FORMAT,
    madeAt: f.now,
    /** Paths on this hub (same sign-in as the rest of the API). */
    links: {
      json: base,
      gpx: `${base}.gpx`,
      html: { zh: `${base}.html?lang=zh`, mn: `${base}.html?lang=mn`, en: `${base}.html?lang=en` },
    },
    incident: {
      id: inc.id,
      source: inc.source,
      category: inc.category,
      categoryName: categoryName(inc.category),
      severity: inc.severity,
      severityName: textOf(SEVERITY_NAMES, inc.severity),
      state: inc.state,
      drill: inc.drill,
      summary: inc.summary,
      /** What the household typed on the box with the SOS. */
      note,
      presses: inc.presses,
      sourceTs: inc.sourceTs,
      openedAt: inc.openedAt,
      ack: inc.ackAt === null ? null : { at: inc.ackAt, by: inc.ackBy },
      dispatch:
        inc.dispatchedAt === null
          ? null
          : {
              at: inc.dispatchedAt,
              rescue: inc.rescue,
              rescueName: inc.rescue ? textOf(RESCUE_NAMES, inc.rescue) : null,
            },
      closedAt: inc.closedAt,
      place: f.place,
    },
    position,
    household: hh
      ? {
          id: hh.id,
          name: hh.name,
          phone: hh.phone ?? null,
          lang: hh.lang,
          home: {
            lat: hh.location.lat,
            lon: hh.location.lon,
            formats: formatPosition(hh.location.lat, hh.location.lon),
          },
          members: hh.members.map((m) => ({
            name: m.name,
            born: m.born ?? null,
            /** Years, from the year of birth (±1: the birthday is not kept). */
            age: m.born === undefined ? null : Math.max(0, year - m.born),
            phone: m.phone ?? null,
            medical: m.medical ?? null,
            note: m.note ?? null,
          })),
          notes: hh.notes ?? null,
        }
      : null,
    device: f.device,
    nearest,
    timeline: f.timeline.map((e) => ({
      at: e.at,
      type: e.type,
      state: e.state,
      actor: e.actor === null ? null : { id: e.actor, name: e.actorName, role: e.actorRole },
      level: e.level,
      note: e.note,
    })),
    track: { deviceId: f.device?.id ?? null, from: f.trackFrom, to: f.now, points: mergedTrack(f) },
  };
}

export type Handover = ReturnType<typeof buildHandover>;
