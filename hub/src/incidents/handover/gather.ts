import type { HubContext } from '../../context.ts';
import type { IncidentEngine } from '../engine.ts';
import type { Incident } from '../store.ts';
import { placeOf } from '../view.ts';
import { buildHandover, HANDOVER_TRACK_MS, type Handover } from './build.ts';
import type { Place } from './places.ts';

/** Where the handover's facts come from: the registry, the incident store, the telemetry store, the zones. */
export interface HandoverSources {
  ctx(): HubContext;
  engine(): IncidentEngine;
  /** Water points and roads (the rules' zones); none when the rules module is not running. */
  places?: () => readonly Place[];
  /** Members' ages are counted in this zone's year. */
  timeZone: string;
}

/** Points of the recent track the handover carries (the telemetry store thins evenly in time past this). */
export const HANDOVER_MAX_TRACK_POINTS = 500;

/** Reads what the handover of `inc` says, as of now (the imperative shell around buildHandover). */
export async function gatherHandover(s: HandoverSources, inc: Incident): Promise<Handover> {
  const c = s.ctx();
  const now = c.clock.now();
  const from = now - HANDOVER_TRACK_MS;
  const dev = inc.device ? c.registry.getDevice(inc.device) : undefined;
  let track: Awaited<ReturnType<HubContext['telemetry']['track']>> = [];
  if (inc.device) {
    try {
      track = await c.telemetry.track({
        deviceId: inc.device,
        from,
        to: now,
        maxPoints: HANDOVER_MAX_TRACK_POINTS,
      });
    } catch (err) {
      // the handover without a track still tells the crew where to go
      c.log.warn({ err, incidentId: inc.id }, 'handover: the track could not be read');
    }
  }
  return buildHandover({
    inc,
    place: placeOf(c.registry, inc.unit),
    household: inc.household ? c.registry.getHousehold(inc.household) : undefined,
    device: dev
      ? { id: dev.id, kind: dev.kind, ...(dev.label ? { label: dev.label } : {}) }
      : inc.device
        ? { id: inc.device, kind: 'unknown' }
        : null,
    timeline: s.engine().timeline(inc.id),
    positions: s.engine().positions(inc.id),
    track: track.map((p) => ({
      t: p.t,
      lat: p.lat,
      lon: p.lon,
      ...(p.alt !== undefined ? { alt: p.alt } : {}),
      ...(p.hdop !== undefined ? { hdop: p.hdop } : {}),
      ...(p.speed !== undefined ? { speed: p.speed } : {}),
    })),
    trackFrom: from,
    places: s.places?.() ?? [],
    now,
    timeZone: s.timeZone,
  });
}
