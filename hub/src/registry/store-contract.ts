import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RotationRow } from '../duty/roster-rows.ts';
import type {
  DeviceRecord,
  HouseholdRecord,
  PersonRecord,
  RegistryStore,
  RegistryWrite,
  TeamRecord,
  UnitRecord,
} from './store-port.ts';

/**
 * The contract every registry store adapter passes (SQLite today; PostgreSQL next): `load`
 * gives back every record an import wrote, field for field; re-imports upsert by id and keep
 * stored secrets, usernames and passwords a row leaves out; a person's roles are replaced; an
 * import is all or nothing; the credential writes say whether the row exists.
 */
export function registryStoreContract(
  name: string,
  open: () => Promise<{ store: RegistryStore; close(): Promise<void> }>,
): void {
  describe(`registry store contract: ${name}`, () => {
    let store: RegistryStore;
    let close: () => Promise<void>;
    const T0 = Date.UTC(2026, 11, 7, 2, 0);

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    const square = (lon: number, lat: number): [number, number][] => [
      [lon, lat],
      [lon + 0.02, lat],
      [lon + 0.02, lat + 0.02],
      [lon, lat],
    ];
    const units: UnitRecord[] = [
      {
        id: '150800',
        level: 'league',
        parent: null,
        name: { zh: '巴彦淖尔市', mn: 'ᠪᠠᠶᠠᠨᠨᠠᠭᠤᠷ', en: 'Bayannur' },
      },
      {
        id: '150824',
        level: 'banner',
        parent: '150800',
        name: { zh: '乌拉特中旗', mn: 'ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ', en: 'Urad Middle Banner' },
        center: { lat: 41.5702, lon: 108.5151 },
        boundary: { type: 'Polygon', coordinates: [square(108.4, 41.5)] },
      },
      {
        id: '150824-104',
        level: 'sumu',
        parent: '150824',
        name: { zh: '巴音乌兰苏木', mn: 'ᠪᠠᠶᠠᠨ ᠤᠯᠠᠭᠠᠨ', en: 'Bayan Ulaan Sumu' },
      },
      {
        id: '150824-104-007',
        level: 'gacha',
        parent: '150824-104',
        name: { zh: '乌兰嘎查', mn: 'ᠤᠯᠠᠭᠠᠨ', en: 'Ulaan Gacha' },
      },
      {
        id: '150824-104-007-03',
        level: 'grid',
        parent: '150824-104-007',
        name: { zh: '第三网格', mn: 'ᠭᠤᠷᠪᠠᠳᠤᠭᠠᠷ', en: 'Grid 3' },
      },
    ];
    const households: HouseholdRecord[] = [
      {
        id: 'hh-150824-104-0007',
        grid: '150824-104-007-03',
        name: '其其格',
        phone: '15247801234',
        lang: 'mn',
        location: { lat: 42.1213, lon: 108.4382 },
        pasture: { type: 'Polygon', coordinates: [square(108.45, 42.13)] },
        members: [
          { name: '其其格', phone: '15247801234' },
          { name: '巴雅尔', note: '腿脚不便' },
        ],
        notes: '冬营地在山北',
      },
      {
        id: 'hh-150824-104-0008',
        grid: '150824-104-007-03',
        name: '孟克',
        lang: 'zh',
        location: { lat: 42.15, lon: 108.49 },
        members: [],
      },
    ];
    const teams: TeamRecord[] = [{ id: 'team-150824-border-1', unit: '150824-104', name: '巴音乌兰护边队' }];
    const device = (o: Partial<DeviceRecord> = {}): DeviceRecord => ({
      id: 'stb-150824-104-0007',
      kind: 'settop',
      household: 'hh-150824-104-0007',
      team: null,
      label: '客厅机顶盒',
      enabled: true,
      secretHash: 'hmac-sha256$k1$c2FsdA$bWFj',
      ...o,
    });
    const tracker: DeviceRecord = {
      id: 'trk-150824-border-01',
      kind: 'tracker',
      household: null,
      team: 'team-150824-border-1',
      label: null,
      enabled: false,
      secretHash: null,
    };
    const person = (o: Partial<PersonRecord> = {}): PersonRecord => ({
      id: 'p-bater',
      name: '巴特尔',
      phone: '13904781234',
      lang: 'mn',
      team: null,
      username: 'bater',
      passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
      roles: [
        { role: 'grid-worker', unit: '150824-104-007-03' },
        { role: 'admin', unit: '150824-104-007-03' },
      ].sort((a, b) =>
        a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.role < b.role ? -1 : 1,
      ) as PersonRecord['roles'],
      ...o,
    });
    const write = (o: Partial<RegistryWrite> = {}): RegistryWrite => ({
      units,
      households,
      teams,
      devices: [device(), tracker],
      people: [
        person(),
        {
          ...person({
            id: 'p-oyun',
            name: '乌云',
            username: null,
            passwordHash: null,
            phone: null,
            lang: 'zh',
          }),
          roles: [{ role: 'patrol-member', unit: '150824-104' }],
          team: 'team-150824-border-1',
        },
      ],
      ...o,
    });

    it('loads nothing from an empty store', async () => {
      expect(await store.load()).toEqual({ units: [], households: [], teams: [], devices: [], people: [] });
    });

    it('gives back every record an import wrote, field for field, ordered by id', async () => {
      await store.import(write(), T0);
      const s = await store.load();
      const byId = <T extends { id: string }>(xs: readonly T[]) =>
        [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(s.units).toEqual(byId(units));
      expect(s.households).toEqual(byId(households));
      expect(s.teams).toEqual(teams);
      expect(s.devices).toEqual(byId([device(), tracker]));
      expect(s.people).toEqual(byId(write().people));
    });

    it('upserts by id: a re-import changes rows, keeps a secret, username or password it leaves out, and replaces roles', async () => {
      await store.import(write(), T0);
      await store.import(
        {
          units: [],
          households: [{ ...households[1]!, name: '孟克（冬营地）' }],
          teams: [],
          devices: [device({ label: null, enabled: false, secretHash: null })],
          people: [
            person({
              name: '巴特尔（新）',
              username: null,
              passwordHash: null,
              roles: [{ role: 'grid-leader', unit: '150824-104-007-03' }],
            }),
          ],
        },
        T0 + 1,
      );
      const s = await store.load();
      expect(s.households.find((h) => h.id === 'hh-150824-104-0008')?.name).toBe('孟克（冬营地）');
      expect(s.households).toHaveLength(2);
      expect(s.devices.find((d) => d.id === 'stb-150824-104-0007')).toEqual(
        device({ label: null, enabled: false }), // the stored secret hash kept
      );
      expect(s.people.find((p) => p.id === 'p-bater')).toEqual(
        person({ name: '巴特尔（新）', roles: [{ role: 'grid-leader', unit: '150824-104-007-03' }] }),
      );
    });

    it('writes an import all or nothing', async () => {
      await store.import({ ...write(), devices: [], people: [] }, T0);
      const rotation: RotationRow = {
        unit: '150824-104-007-03',
        role: 'grid-worker',
        period: 'daily',
        handover: '08:00',
        start_date: '2026-12-01',
        members: JSON.stringify(['p-bater']),
        per_shift: 1,
        time_zone: 'Asia/Shanghai',
      };
      const broken = write({
        units: [
          {
            id: '150825',
            level: 'banner',
            parent: '150800',
            name: { zh: '乌拉特后旗', mn: 'ᠤᠷᠠᠳ ᠬᠣᠶᠠᠳᠤ', en: 'Urad Rear Banner' },
          },
        ],
        devices: [device({ household: 'hh-nowhere' })], // no such household: the store refuses the row
        rosters: { replaceUnits: [], rotations: [rotation], overrides: [] },
      });
      await expect(store.import(broken, T0 + 1)).rejects.toThrow();
      const s = await store.load();
      expect(s.units.map((u) => u.id)).not.toContain('150825');
      expect(s.devices).toEqual([]);
      expect(s.people).toEqual([]);
    });

    it('sets a secret, the enabled flag and a password, and says when there is no such row', async () => {
      await store.import(write(), T0);
      expect(await store.setDeviceSecretHash('stb-150824-104-0007', 'hmac-sha256$k2$bmV3$bmV3', T0 + 1)).toBe(
        true,
      );
      expect(await store.setDeviceEnabled('trk-150824-border-01', true, T0 + 1)).toBe(true);
      expect(await store.setPasswordHash('p-oyun', 'scrypt$16384$8$1$b3l1bg$b3l1bg', T0 + 1)).toBe(true);
      expect(await store.setDeviceSecretHash('stb-nope', 'x', T0)).toBe(false);
      expect(await store.setDeviceEnabled('stb-nope', true, T0)).toBe(false);
      expect(await store.setPasswordHash('p-nobody', 'x', T0)).toBe(false);
      const s = await store.load();
      expect(s.devices.find((d) => d.id === 'stb-150824-104-0007')?.secretHash).toBe(
        'hmac-sha256$k2$bmV3$bmV3',
      );
      expect(s.devices.find((d) => d.id === 'trk-150824-border-01')?.enabled).toBe(true);
      expect(s.people.find((p) => p.id === 'p-oyun')?.passwordHash).toBe('scrypt$16384$8$1$b3l1bg$b3l1bg');
    });
  });
}
