import { describe, expect, it } from 'vitest';
import { buildHandover } from './build.ts';
import { facts, INCIDENT, NOW } from './testing.ts';

const MIN = 60_000;

describe('buildHandover', () => {
  it('gives the SOS fix in every form with its age and accuracy, members with ages, and the timeline', () => {
    const h = buildHandover(facts());
    expect(h.format).toBe('steppelink.handover/1');
    expect(h.position).toEqual({
      lat: 42.1213,
      lon: 108.4382,
      source: 'sos',
      at: NOW - 20 * MIN,
      ageS: 20 * 60,
      accuracyM: 12,
      hdop: null,
      formats: {
        decimal: '42.121300, 108.438200',
        dd: '42.121300° N 108.438200° E',
        dm: '42° 07.2780′ N 108° 26.2920′ E',
        dms: '42° 07′ 16.68″ N 108° 26′ 17.52″ E',
      },
    });
    expect(h.household?.members).toEqual([
      { name: '其其格', born: 1979, age: 47, phone: '15247801234', medical: null, note: null },
      { name: '巴雅尔', born: 1948, age: 78, phone: null, medical: '高血压，服硝苯地平', note: '行动不便' },
    ]);
    expect(h.incident.dispatch).toMatchObject({ rescue: 'helicopter', rescueName: { zh: '直升机' } });
    expect(h.incident.note).toBe('老人胸口疼 <b>');
    expect(h.timeline.map((e) => e.type)).toEqual(['open', 'paged', 'acknowledged', 'dispatched']);
    expect(h.timeline[3]?.actor).toEqual({ id: 'p-saren', name: '萨仁', role: 'banner-duty-officer' });
    expect(h.links.html.mn).toBe(`/api/incidents/${INCIDENT.id}/handover.html?lang=mn`);
  });

  it('sends the crew to the newest fix: a track point after the SOS wins, without an accuracy it never had', () => {
    const h = buildHandover(
      facts({
        positions: [{ t: NOW - 5 * MIN, lat: 42.125, lon: 108.44 }],
        track: [
          { t: NOW - 30 * MIN, lat: 42.1, lon: 108.4, hdop: 0.9 },
          { t: NOW - 2 * MIN, lat: 42.126, lon: 108.441, hdop: 1.4 },
        ],
      }),
    );
    expect(h.position).toMatchObject({ source: 'track', lat: 42.126, ageS: 120, accuracyM: null, hdop: 1.4 });
    // the incident's own position moves with the fixes (engine.attachPositions): still a track fix, no accuracy
    const moved = buildHandover(
      facts({
        inc: { ...INCIDENT, pos: { lat: 42.126, lon: 108.441, t: NOW - 2 * MIN } },
        positions: [{ t: NOW - 2 * MIN, lat: 42.126, lon: 108.441 }],
      }),
    );
    expect(moved.position).toMatchObject({ source: 'track', accuracyM: null });
    // the track: both sources, in time order, one point per instant, inside the 24 h window
    expect(h.track.points.map((p) => p.t)).toEqual([NOW - 30 * MIN, NOW - 5 * MIN, NOW - 2 * MIN]);
  });

  it("falls back to the household's registered home, saying so, when the device sent no position", () => {
    const h = buildHandover(facts({ inc: { ...INCIDENT, pos: null } }));
    expect(h.position).toMatchObject({ source: 'home', lat: 42.1213, at: null, ageS: null, accuracyM: null });
    const none = buildHandover(
      facts({ inc: { ...INCIDENT, pos: null, household: null }, household: undefined }),
    );
    expect(none.position).toBeNull();
    expect(none.nearest).toEqual({ water: null, road: null });
  });

  it('names the nearest water point and the nearest point of the nearest road, with distance and bearing', () => {
    const h = buildHandover(facts());
    expect(h.nearest.water).toMatchObject({ id: 'well-bayan-hatai-3', lat: 42.13, lon: 108.45 });
    // 42.1213,108.4382 → 42.13,108.45: ≈ 1.37 km to the north-east
    expect(h.nearest.water!.distanceM).toBeGreaterThan(1300);
    expect(h.nearest.water!.distanceM).toBeLessThan(1450);
    expect(h.nearest.water!.bearingDeg).toBeGreaterThan(30);
    expect(h.nearest.water!.bearingDeg).toBeLessThan(60);
    // the road runs along 42.1 N: its nearest point is due south, ≈ 2.37 km
    expect(h.nearest.road).toMatchObject({ id: 'road-s212' });
    expect(h.nearest.road!.lat).toBeCloseTo(42.1, 3);
    expect(h.nearest.road!.lon).toBeCloseTo(108.4382, 2);
    expect(Math.abs(h.nearest.road!.distanceM - 2370)).toBeLessThan(30);
    expect(Math.abs(h.nearest.road!.bearingDeg - 180)).toBeLessThanOrEqual(1);
  });
});
