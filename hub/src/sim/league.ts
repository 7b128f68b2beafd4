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
import {
  borderLatAt,
  cellsIn,
  onGrassland,
  pointIn,
  pointNear,
  type Ring,
  ringBox,
  URAD,
} from './geo/geography.ts';
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
  /** Each sumu's stretch of its banner's border, west to east (the border sumus lie side by side along it). */
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
  /**
   * Years of birth and medical notes for the rescue handover, from their own stream so the
   * league's layout (which the main stream draws) stays what it was before they were added.
   */
  const kinRng = createRng(o.seed ^ 0x6b696e);
  const kinOf = (elder: boolean): { born: number; medical?: string } => {
    const born = elder ? kinRng.int(1936, 1958) : kinRng.int(1962, 1996);
    const medical = elder
      ? kinRng.pick([
          '高血压，服硝苯地平',
          '糖尿病，用胰岛素',
          '心脏病（冠心病），备有速效救心丸',
          '腿脚不便，需担架',
        ])
      : kinRng.chance(0.1)
        ? kinRng.pick(['哮喘', '青霉素过敏'])
        : undefined;
    return medical ? { born, medical } : { born };
  };
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
    boundary?: Ring,
  ) => {
    const u: Unit = { id, level, parent, name };
    if (center) u.center = center;
    if (boundary) u.boundary = { type: 'Polygon', coordinates: [boundary] };
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
  // households spread evenly over every grid slot of both banners (not filling the west first)
  const slots = 2 * sumuCount * o.gachasPerSumu * gridsPerGacha;
  let slot = 0;
  const nextGridSize = () => {
    const n = Math.floor(((slot + 1) * o.households) / slots) - Math.floor((slot * o.households) / slots);
    slot++;
    return n;
  };
  const at = ([lon, lat]: [number, number]) => ({ lat: +lat.toFixed(5), lon: +lon.toFixed(5) });

  for (const [bannerId, bannerName] of banners) {
    // The banner as it lies on the map (geo/urad.json): its outline along the real border.
    const geo = URAD.banners[bannerId];
    const grass = (lon: number, lat: number) => onGrassland(bannerId, lon, lat);
    const box = ringBox(geo.ring);
    unit(bannerId, 'banner', '150800', bannerName, at([(box.w + box.e) / 2, (box.s + box.n) / 2]), geo.ring);
    for (let k = 1; k <= 3; k++) person(`p-${bannerId}-duty-${k}`, 'banner-duty-officer', bannerId);
    // Border sumus side by side along the border, each reaching south to the banner's edge.
    const [west, east] = geo.borderLon;
    const step = (east - west) / sumuCount;
    const sumuSeeds = Array.from({ length: sumuCount }, (_, s): [number, number] => {
      const lon = west + (s + 0.5) * step;
      return [lon, Math.max(geo.grasslandMinLat + 0.1, borderLatAt(lon) - 0.3)];
    });
    const sumuCells = cellsIn(sumuSeeds, geo.ring);
    for (let s = 0; s < sumuCount; s++) {
      const [zh, mn, en] = BORDER_SUMUS[bannerId][s]!;
      const sumuId = `${bannerId}-${(bannerId === '150824' ? 101 : 201) + s}`;
      const sumuCell = sumuCells[s]!;
      const sumuCenter = at(sumuSeeds[s]!);
      const sLon0 = west + s * step;
      unit(sumuId, 'sumu', bannerId, text(zh, mn, en), sumuCenter, sumuCell);
      sumus.push({ id: sumuId, banner: bannerId, minLon: sLon0, maxLon: sLon0 + step, center: sumuCenter });
      person(`p-${sumuId}-station-1`, 'station-officer', sumuId);
      person(`p-${sumuId}-station-2`, 'station-officer', sumuId);
      const teamId = `team-${sumuId}-border`;
      teams.push({ id: teamId, unit: sumuId, name: `${zh}护边队` });
      for (let t = 1; t <= o.trackersPerSumu; t++) {
        const id = `trk-patrol-${sumuId}-${String(t).padStart(2, '0')}`;
        person(`p-${sumuId}-patrol-${t}`, 'patrol-member', sumuId, teamId);
        const lon = sLon0 + step * rng.between(0.2, 0.8);
        devices.push({
          id,
          kind: 'tracker',
          secret: deriveSecret(o.secretKey, id),
          team: teamId,
          units: [sumuId, bannerId, '150800'],
          home: at([lon, borderLatAt(lon) - 0.03]), // the patrol's base, ≈ 3 km short of the line
        });
      }
      // Gachas around their wells on the sumu's grassland; their areas tile the sumu.
      const gachaSeeds = Array.from(
        { length: o.gachasPerSumu },
        () => pointIn(rng, sumuCell, grass) ?? sumuSeeds[s]!,
      );
      const gachaCells = cellsIn(gachaSeeds, sumuCell);
      for (let g = 0; g < o.gachasPerSumu; g++) {
        const gachaId = `${sumuId}-${String(g + 1).padStart(3, '0')}`;
        const gachaCell = gachaCells[g]!;
        unit(
          gachaId,
          'gacha',
          sumuId,
          placeName(rng, text('嘎查', 'ᠭᠠᠴᠠᠭ᠎ᠠ', 'Gacha')),
          at(gachaSeeds[g]!),
          gachaCell,
        );
        person(`p-${gachaId}-secretary`, 'village-secretary', gachaId);
        const sizes = Array.from({ length: gridsPerGacha }, nextGridSize);
        const gridSeeds = sizes.map(() => pointIn(rng, gachaCell, grass) ?? gachaSeeds[g]!);
        const gridCells = cellsIn(gridSeeds, gachaCell);
        for (let r = 0; r < gridsPerGacha; r++) {
          const n = sizes[r]!;
          if (n === 0) continue;
          const gridId = `${gachaId}-${String(r + 1).padStart(2, '0')}`;
          const gridCell = gridCells[r]!;
          const seed = gridSeeds[r]!;
          const groupNo = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][r] ?? String(r + 1);
          unit(
            gridId,
            'grid',
            gachaId,
            text(`${groupNo}组`, `${r + 1} ᠳᠤᠭᠠᠷ ᠳᠤᠭᠤᠶᠢᠯᠠᠩ`, `Group ${r + 1}`),
            at(seed),
            gridCell,
          );
          person(`p-${gridId}-leader`, 'grid-leader', gridId);
          for (let w = 1; w <= Math.max(1, Math.ceil(n / o.householdsPerWorker)); w++) {
            person(`p-${gridId}-w${w}`, 'grid-worker', gridId);
          }
          const chain = [gridId, gachaId, sumuId, bannerId, '150800'];
          const cellBox = ringBox(gridCell);
          // camps scatter around the group's centre, thinning out with distance
          const sigma = Math.max(0.01, Math.min(cellBox.e - cellBox.w, cellBox.n - cellBox.s) / 4);
          for (let h = 0; h < n; h++) {
            const seq = households.length + 1;
            const hhId = `hh-${sumuId}-${String(seq).padStart(5, '0')}`;
            const { lat, lon } = at(
              pointNear(rng, seed, sigma, gridCell, grass) ?? pointIn(rng, gridCell, grass) ?? seed,
            );
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
                { name: resident.name, ...kinOf(false) },
                ...(rng.chance(0.4) ? [{ name: personName(rng).name, note: '老人', ...kinOf(true) }] : []),
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
