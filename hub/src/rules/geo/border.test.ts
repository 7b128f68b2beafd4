import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { feature, lineString, polygon } from '@turf/helpers';
import { length } from '@turf/length';
import { describe, expect, it } from 'vitest';
import { demoZones } from '../data/index.ts';
import { type BorderZone, isBorder, parseZones } from '../zones.ts';
import { BorderLine } from './border.ts';
import { DegreeBoxes } from './measure.ts';

function demoBorder(): BorderZone {
  const parsed = parseZones(demoZones());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.zones.find(isBorder)!;
}

describe('the demo Urad border line', () => {
  const zone = demoBorder();
  const line = new BorderLine(zone, 1000);

  it('is a wiggly 369 km line running west–east between lat 42.2–42.8, lon 105.8–108.9', () => {
    const coords = zone.geometry.coordinates;
    expect(length(feature(zone.geometry), { units: 'kilometers' })).toBeCloseTo(369, 0);
    for (const [lon, lat] of coords) {
      expect(lon).toBeGreaterThanOrEqual(105.8);
      expect(lon).toBeLessThanOrEqual(108.9);
      expect(lat).toBeGreaterThanOrEqual(42.2);
      expect(lat).toBeLessThanOrEqual(42.8);
    }
    const straightKm = length(lineString([coords[0]!, coords.at(-1)!]), { units: 'kilometers' });
    expect(straightKm).toBeLessThan(300); // wiggles make up the rest
  });

  it('splits into 369 segments of 1 km, west of km 190 Urad Rear Banner, east of it Urad Middle', () => {
    expect(line.segments).toHaveLength(369);
    expect(line.segments[0]!.unitId).toBe('150825-201');
    expect(line.segments[189]!.unitId).toBe('150825-201');
    expect(line.segments[190]!.unitId).toBe('150824-104');
    expect(line.segments[368]!.toKm).toBeCloseTo(369, 1);
    const segKm = length(line.segments[100]!.line, { units: 'kilometers' });
    expect(segKm).toBeCloseTo(1, 2);
  });

  it('measures distance to the line near it, and nothing far from it', () => {
    const boxes = new DegreeBoxes(2000);
    const [lon, lat] = line.segments[250]!.line.geometry.coordinates[1]!;
    expect(line.distanceWithinM(lon!, lat!, boxes)).toBeLessThan(1);
    const south = line.distanceWithinM(lon!, lat! - 0.01, boxes); // 1.1 km due south
    expect(south).toBeGreaterThan(300);
    expect(south).toBeLessThan(1120);
    expect(line.distanceWithinM(108.45, 42.13, boxes)).toBe(Number.POSITIVE_INFINITY);
  });

  it('tells Mongolia (north) from China (south), matching a full point-in-polygon test everywhere', () => {
    const coords = zone.geometry.coordinates as [number, number][];
    const north = polygon([[...coords, [108.9, 44], [105.8, 44], coords[0]!]]);
    let far = 0;
    for (let lon = 105.81; lon < 108.9; lon += 0.0237) {
      for (let lat = 42.0; lat < 43.0; lat += 0.0191) {
        const expected = booleanPointInPolygon([lon, lat], north);
        expect(line.isFarSide(lon, lat)).toBe(expected);
        if (expected) far++;
      }
    }
    expect(far).toBeGreaterThan(500);
    expect(line.isFarSide(108.45, 42.13)).toBe(false); // a pasture of Bayan Hatai gacha
    expect(line.isFarSide(107.0, 43.2)).toBe(true); // Dornogovi, Mongolia
    expect(line.isFarSide(110.0, 43.0)).toBe(false); // beyond the line's ends: not this line's business
  });
});
