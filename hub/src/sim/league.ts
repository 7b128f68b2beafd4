import { createHmac } from 'node:crypto';
import type { Texts } from '@steppelink/protocols';
import type {
  DeviceInput,
  Household,
  PersonInput,
  PolygonGeometry,
  RegistryDocument,
  Unit,
} from '../registry/schema.ts';
import { DEMO_PASSWORD_HASH } from '../registry/fixture.ts';
import { BORDER_SUMUS, personName, phoneNumber, placeName } from './names.ts';
import { createRng, type Rng } from './random.ts';

/** Sizes of the simulated league; the defaults make a demo that starts in well under a minute. */
export const LEAGUE_DEFAULTS = {
  households: 2400, // set-top boxes, one per household
  seed: 20251125,
  sumusPerBanner: 4, // the real border sumus/towns of each banner (at most 4 are named)
  gachasPerSumu: 4,
  householdsPerGrid: 25, // a village group; one grid worker per ~12 households
  householdsPerWorker: 12, // DOMAIN: a grid worker looks after 5–15 households
  collarShare: 0.35, // share of households with a collar relay on their herd
  waterSensorShare: 0.15, // share with a water-point level sensor
  trackersPerSumu: 2, // border patrol trackers per border sumu
  secretKey: 'steppelink-demo', // device secrets are derived from this key (demo only)
};
export type LeagueOptions = typeof LEAGUE_DEFAULTS;

/** Household area of each banner: south of the border line, where the winter camps are. */
const BANNER_AREA = {
  '150824': { minLon: 107.55, maxLon: 108.85, minLat: 41.45, maxLat: 42.1 }, // border ≥ 42.22 here
  '150825': { minLon: 105.85, maxLon: 107.5, minLat: 41.35, maxLat: 42.3 }, // border ≥ 42.46 here
} as const;

export interface SimDevice {
  id: string;
  kind: DeviceInput['kind'];
  secret: string;
  household?: string;
  team?: string;
  /** Units whose notices it receives, nearest first. */
  units: string[];
  home: { lat: number; lon: number };
  pasture?: PolygonGeometry;
}

export interface SimLeague {
  doc: RegistryDocument;
  devices: SimDevice[];
  /** Each sumu's west–east slice of its banner (the sim lays sumus side by side along the border). */
  sumus: {
    id: string;
    banner: string;
    minLon: number;
    maxLon: number;
    center: { lat: number; lon: number };
  }[];
  /** People with a dashboard/MQTT login (all share the demo password). */
  logins: { username: string; name: string; role: string; unit: string }[];
}

export const deriveSecret = (key: string, deviceId: string): string =>
  createHmac('sha256', key).update(deviceId).digest('base64url');

const KM_PER_DEG_LAT = 111.2;
const kmPerDegLon = (lat: number) => KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

/** An irregular, closed pasture ring of 8 vertices around a home camp, radius in km. */
function pastureAround(rng: Rng, lat: number, lon: number, radiusKm: number): PolygonGeometry {
  const ring: [number, number][] = [];
  for (let i = 0; i < 8; i++) {
    const a = (i / 8) * 2 * Math.PI;
    const r = radiusKm * rng.between(0.75, 1.2);
    ring.push([
      +(lon + (r * Math.cos(a)) / kmPerDegLon(lat)).toFixed(6),
      +(lat + (r * Math.sin(a)) / KM_PER_DEG_LAT).toFixed(6),
    ]);
  }
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}

const text = (zh: string, mn: string, en: string): Texts => ({ zh, mn, en });

/**
 * Generates a league drawn from DOMAIN.md: Bayannur league with the two Urad border banners, their
 * border sumus/towns, gachas and grids, households with pastures and set-top boxes, collar relays
 * and water sensors, patrol teams with trackers, and the people of every duty level.
 */
export function generateLeague(options: Partial<LeagueOptions> = {}): SimLeague {
  const o = { ...LEAGUE_DEFAULTS, ...options };
  const rng = createRng(o.seed);
  const units: Unit[] = [];
  const households: Household[] = [];
  const devices: SimDevice[] = [];
  const people: PersonInput[] = [];
  const teams: RegistryDocument['teams'] = [];
  const sumus: SimLeague['sumus'] = [];
  const unit = (
    id: string,
    level: Unit['level'],
    parent: string | null,
    name: Texts,
    center?: { lat: number; lon: number },
  ) => {
    const u: Unit = { id, level, parent, name };
    if (center) u.center = center;
    units.push(u);
  };
  const person = (id: string, role: PersonInput['roles'][number]['role'], unitId: string, team?: string) => {
    const n = personName(rng);
    const p: PersonInput = {
      id,
      name: n.name,
      phone: phoneNumber(rng),
      lang: n.lang,
      roles: [{ role, unit: unitId }],
    };
    if (team) p.team = team;
    people.push(p);
    return p;
  };

  unit('150800', 'league', null, text('巴彦淖尔市', 'ᠪᠠᠶᠠᠨᠨᠠᠭᠤᠷ ᠬᠣᠲᠠ', 'Bayannur'));
  person('p-150800-duty-1', 'league-duty-officer', '150800');
  person('p-150800-admin', 'admin', '150800');
  const banners = [
    ['150824', text('乌拉特中旗', 'ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ', 'Urad Middle Banner')],
    ['150825', text('乌拉特后旗', 'ᠤᠷᠠᠳ ᠬᠣᠶᠢᠲᠤ ᠬᠣᠰᠢᠭᠤ', 'Urad Rear Banner')],
  ] as const;
  const sumuCount = Math.min(Math.max(1, o.sumusPerBanner), 4);
  const gridsTotal = Math.max(1, Math.ceil(o.households / o.householdsPerGrid));
  const gridsPerGacha = Math.max(1, Math.ceil(gridsTotal / (2 * sumuCount * o.gachasPerSumu)));
  let householdsLeft = o.households;

  for (const [bannerId, bannerName] of banners) {
    const area = BANNER_AREA[bannerId];
    unit(bannerId, 'banner', '150800', bannerName, {
      lat: (area.minLat + area.maxLat) / 2,
      lon: (area.minLon + area.maxLon) / 2,
    });
    for (let k = 1; k <= 3; k++) person(`p-${bannerId}-duty-${k}`, 'banner-duty-officer', bannerId);
    const sliceLon = (area.maxLon - area.minLon) / sumuCount;
    for (let s = 0; s < sumuCount; s++) {
      const [zh, mn, en] = BORDER_SUMUS[bannerId][s]!;
      const sumuId = `${bannerId}-${(bannerId === '150824' ? 101 : 201) + s}`;
      const sLon0 = area.minLon + s * sliceLon;
      unit(sumuId, 'sumu', bannerId, text(zh, mn, en), {
        lat: (area.minLat + area.maxLat) / 2,
        lon: sLon0 + sliceLon / 2,
      });
      sumus.push({
        id: sumuId,
        banner: bannerId,
        minLon: sLon0,
        maxLon: sLon0 + sliceLon,
        center: { lat: (area.minLat + area.maxLat) / 2, lon: sLon0 + sliceLon / 2 },
      });
      person(`p-${sumuId}-station-1`, 'station-officer', sumuId);
      person(`p-${sumuId}-station-2`, 'station-officer', sumuId);
      const teamId = `team-${sumuId}-border`;
      teams.push({ id: teamId, unit: sumuId, name: `${zh}护边队` });
      for (let t = 1; t <= o.trackersPerSumu; t++) {
        const id = `trk-patrol-${sumuId}-${String(t).padStart(2, '0')}`;
        person(`p-${sumuId}-patrol-${t}`, 'patrol-member', sumuId, teamId);
        devices.push({
          id,
          kind: 'tracker',
          secret: deriveSecret(o.secretKey, id),
          team: teamId,
          units: [sumuId, bannerId, '150800'],
          home: { lat: area.maxLat + 0.05, lon: sLon0 + sliceLon * rng.between(0.2, 0.8) },
        });
      }
      const rowLat = (area.maxLat - area.minLat) / o.gachasPerSumu;
      for (let g = 0; g < o.gachasPerSumu; g++) {
        const gachaId = `${sumuId}-${String(g + 1).padStart(3, '0')}`;
        const gLat0 = area.minLat + g * rowLat;
        unit(gachaId, 'gacha', sumuId, placeName(rng, text('嘎查', 'ᠭᠠᠴᠠᠭ᠎ᠠ', 'Gacha')));
        person(`p-${gachaId}-secretary`, 'village-secretary', gachaId);
        const cellLon = sliceLon / gridsPerGacha;
        for (let r = 0; r < gridsPerGacha && householdsLeft > 0; r++) {
          const gridId = `${gachaId}-${String(r + 1).padStart(2, '0')}`;
          const center = {
            lat: +(gLat0 + rowLat / 2).toFixed(5),
            lon: +(sLon0 + (r + 0.5) * cellLon).toFixed(5),
          };
          const n = Math.min(o.householdsPerGrid, householdsLeft);
          householdsLeft -= n;
          const groupNo = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][r] ?? String(r + 1);
          unit(
            gridId,
            'grid',
            gachaId,
            text(`${groupNo}组`, `${r + 1} ᠳᠤᠭᠠᠷ ᠳᠤᠭᠤᠶᠢᠯᠠᠩ`, `Group ${r + 1}`),
            center,
          );
          person(`p-${gridId}-leader`, 'grid-leader', gridId);
          for (let w = 1; w <= Math.max(1, Math.ceil(n / o.householdsPerWorker)); w++) {
            person(`p-${gridId}-w${w}`, 'grid-worker', gridId);
          }
          const chain = [gridId, gachaId, sumuId, bannerId, '150800'];
          for (let h = 0; h < n; h++) {
            const seq = households.length + 1;
            const hhId = `hh-${sumuId}-${String(seq).padStart(5, '0')}`;
            const lat = +(gLat0 + rng.between(0.08, 0.92) * rowLat).toFixed(5);
            const lon = +(sLon0 + (r + rng.between(0.08, 0.92)) * cellLon).toFixed(5);
            const resident = personName(rng);
            const pasture = pastureAround(rng, lat, lon, rng.between(0.8, 1.6));
            households.push({
              id: hhId,
              grid: gridId,
              name: resident.name,
              phone: phoneNumber(rng),
              lang: resident.lang === 'mn' ? 'mn' : 'zh',
              location: { lat, lon },
              pasture,
              members: [
                { name: resident.name },
                ...(rng.chance(0.4) ? [{ name: personName(rng).name, note: '老人' }] : []),
              ],
            });
            const suffix = hhId.slice(3);
            const home = { lat, lon };
            const add = (id: string, kind: SimDevice['kind']) =>
              devices.push({
                id,
                kind,
                secret: deriveSecret(o.secretKey, id),
                household: hhId,
                units: chain,
                home,
                pasture,
              });
            add(`stb-${suffix}`, 'settop');
            if (rng.chance(o.collarShare)) add(`col-${suffix}`, 'collar-relay');
            if (rng.chance(o.waterSensorShare)) add(`wp-${suffix}`, 'sensor');
          }
        }
      }
    }
  }

  // Demo logins: one person per level, named in the README and printed at start.
  const logins: SimLeague['logins'] = [];
  const login = (id: string | undefined, username: string) => {
    const p = people.find((x) => x.id === id);
    if (!p) return;
    p.login = { username, password: DEMO_PASSWORD_HASH };
    logins.push({ username, name: p.name, role: p.roles[0]!.role, unit: p.roles[0]!.unit });
  };
  login('p-150800-admin', 'admin');
  login('p-150800-duty-1', 'league');
  login('p-150824-duty-1', 'urad-middle');
  login('p-150825-duty-1', 'urad-rear');
  login(people.find((p) => p.roles[0]?.role === 'station-officer')?.id, 'station');
  login(people.find((p) => p.roles[0]?.role === 'grid-worker')?.id, 'worker');

  const doc: RegistryDocument = {
    units,
    households,
    teams,
    devices: devices.map((d) => {
      const out: DeviceInput = { id: d.id, kind: d.kind, enabled: true, secret: d.secret };
      if (d.household) out.household = d.household;
      if (d.team) out.team = d.team;
      return out;
    }),
    people,
  };
  return { doc, devices, sumus, logins };
}
