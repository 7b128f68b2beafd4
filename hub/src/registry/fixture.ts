import { hashSecret } from './secrets.ts';
import {
  type DeviceKind,
  type RegistryDocument,
  type RegistryDocumentInput,
  registryDocumentSchema,
} from './schema.ts';

/**
 * A small but realistic registry for tests: Bayannur league, both Urad border banners, one
 * sumu/town in each, a gacha with two grids in Urad Middle Banner and one grid in Urad Rear
 * Banner, six households with set-top boxes, a collar relay, a border patrol team with a tracker,
 * and the people of every escalation level. Secrets and passwords are test-only.
 */
export const DEMO_PASSWORD = 'steppe-demo-2025';
/**
 * Hashed once per process and shared by every demo login (the importer takes `scrypt$...` as an
 * existing hash): hashing a human password is slow on purpose, and tests import this league often.
 */
export const DEMO_PASSWORD_HASH = hashSecret(DEMO_PASSWORD, 'password');
export const deviceSecret = (deviceId: string): string => `test-secret-${deviceId}`;

const sq = (lon: number, lat: number, d: number): [number, number][] => [
  [lon - d, lat - d],
  [lon + d, lat - d],
  [lon + d, lat + d],
  [lon - d, lat + d],
  [lon - d, lat - d],
];

const input: RegistryDocumentInput = {
  units: [
    {
      id: '150800',
      level: 'league',
      parent: null,
      name: { zh: '巴彦淖尔市', mn: 'ᠪᠠᠶᠠᠨᠨᠠᠭᠤᠷ ᠬᠣᠲᠠ', en: 'Bayannur' },
    },
    {
      id: '150824',
      level: 'banner',
      parent: '150800',
      name: { zh: '乌拉特中旗', mn: 'ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ', en: 'Urad Middle Banner' },
    },
    {
      id: '150825',
      level: 'banner',
      parent: '150800',
      name: { zh: '乌拉特后旗', mn: 'ᠤᠷᠠᠳ ᠬᠣᠶᠢᠲᠤ ᠬᠣᠰᠢᠭᠤ', en: 'Urad Rear Banner' },
    },
    {
      id: '150824-104',
      level: 'sumu',
      parent: '150824',
      name: { zh: '巴音乌兰苏木', mn: 'ᠪᠠᠶᠠᠨ ᠤᠯᠠᠭᠠᠨ ᠰᠤᠮᠤ', en: 'Bayan Ulaan Sumu' },
    },
    {
      id: '150824-104-007',
      level: 'gacha',
      parent: '150824-104',
      name: { zh: '巴音哈太嘎查', mn: 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ ᠭᠠᠴᠠᠭ᠎ᠠ', en: 'Bayan Hatai Gacha' },
    },
    {
      id: '150824-104-007-01',
      level: 'grid',
      parent: '150824-104-007',
      name: { zh: '巴音哈太嘎查一组', mn: 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ ᠨᠢᠭᠡᠳᠦᠭᠡᠷ ᠳᠤᠭᠤᠶᠢᠯᠠᠩ', en: 'Bayan Hatai group 1' },
      center: { lat: 42.09, lon: 108.41 },
    },
    {
      id: '150824-104-007-03',
      level: 'grid',
      parent: '150824-104-007',
      name: { zh: '巴音哈太嘎查三组', mn: 'ᠪᠠᠶᠠᠨ ᠬᠠᠳᠠᠢ ᠭᠤᠷᠪᠠᠳᠤᠭᠠᠷ ᠳᠤᠭᠤᠶᠢᠯᠠᠩ', en: 'Bayan Hatai group 3' },
      center: { lat: 42.12, lon: 108.44 },
    },
    {
      id: '150825-201',
      level: 'sumu',
      parent: '150825',
      name: { zh: '潮格温都尔镇', mn: 'ᠴᠣᠭ ᠥᠨᠳᠥᠷ ᠪᠠᠯᠭᠠᠰᠤ', en: 'Chaogewenduer Town' },
    },
    {
      id: '150825-201-003',
      level: 'gacha',
      parent: '150825-201',
      name: { zh: '乌宝力格嘎查', mn: 'ᠤᠪᠠᠯᠢᠭ ᠭᠠᠴᠠᠭ᠎ᠠ', en: 'Ubalig Gacha' },
    },
    {
      id: '150825-201-003-02',
      level: 'grid',
      parent: '150825-201-003',
      name: { zh: '乌宝力格嘎查二组', mn: 'ᠤᠪᠠᠯᠢᠭ ᠬᠣᠶᠠᠳᠤᠭᠠᠷ ᠳᠤᠭᠤᠶᠢᠯᠠᠩ', en: 'Ubalig group 2' },
      center: { lat: 41.86, lon: 106.93 },
    },
  ],
  households: [
    {
      id: 'hh-150824-104-0007',
      grid: '150824-104-007-03',
      name: '其其格',
      phone: '15247801234',
      lang: 'mn',
      location: { lat: 42.1213, lon: 108.4382 },
      pasture: { type: 'Polygon', coordinates: [sq(108.45, 42.13, 0.02)] },
      members: [
        { name: '其其格', phone: '15247801234' },
        { name: '巴雅尔', note: '78岁，高血压' },
      ],
    },
    {
      id: 'hh-150824-104-0008',
      grid: '150824-104-007-03',
      name: '额尔德尼',
      phone: '15947805678',
      lang: 'mn',
      location: { lat: 42.1388, lon: 108.4701 },
      pasture: { type: 'Polygon', coordinates: [sq(108.49, 42.15, 0.02)] },
    },
    {
      id: 'hh-150824-104-0009',
      grid: '150824-104-007-03',
      name: '王秀兰',
      phone: '13847809012',
      lang: 'zh',
      location: { lat: 42.105, lon: 108.412 },
    },
    {
      id: 'hh-150824-104-0002',
      grid: '150824-104-007-01',
      name: '斯琴',
      phone: '13947803456',
      lang: 'mn',
      location: { lat: 42.0902, lon: 108.4015 },
    },
    {
      id: 'hh-150825-201-0021',
      grid: '150825-201-003-02',
      name: '那日苏',
      phone: '15804787788',
      lang: 'mn',
      location: { lat: 41.8611, lon: 106.9276 },
    },
    {
      id: 'hh-150825-201-0022',
      grid: '150825-201-003-02',
      name: '刘志强',
      phone: '13314781122',
      lang: 'zh',
      location: { lat: 41.8702, lon: 106.9411 },
    },
  ],
  teams: [{ id: 'team-150825-201-border', unit: '150825-201', name: '潮格温都尔镇护边队' }],
  devices: (
    [
      { id: 'stb-150824-104-0007', kind: 'settop', household: 'hh-150824-104-0007' },
      { id: 'stb-150824-104-0008', kind: 'settop', household: 'hh-150824-104-0008' },
      { id: 'stb-150824-104-0009', kind: 'settop', household: 'hh-150824-104-0009' },
      { id: 'stb-150824-104-0002', kind: 'settop', household: 'hh-150824-104-0002' },
      { id: 'stb-150825-201-0021', kind: 'settop', household: 'hh-150825-201-0021' },
      { id: 'stb-150825-201-0022', kind: 'settop', household: 'hh-150825-201-0022' },
      { id: 'col-150824-104-0007-a', kind: 'collar-relay', household: 'hh-150824-104-0007' },
      { id: 'trk-patrol-150825-03', kind: 'tracker', team: 'team-150825-201-border' },
      { id: 'stb-disabled-0001', kind: 'settop', household: 'hh-150824-104-0009', enabled: false },
    ] as { id: string; kind: DeviceKind; household?: string; team?: string; enabled?: boolean }[]
  ).map((d) => ({ ...d, secret: deviceSecret(d.id) })),
  people: [
    {
      id: 'p-bater',
      name: '巴特尔',
      phone: '13904781234',
      lang: 'mn',
      roles: [{ role: 'grid-worker', unit: '150824-104-007-03' }],
      login: { username: 'bater', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-wuyun',
      name: '乌云',
      phone: '13904782345',
      lang: 'mn',
      roles: [{ role: 'grid-leader', unit: '150824-104-007-03' }],
      login: { username: 'wuyun', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-aodeng',
      name: '敖登',
      phone: '13904783344',
      lang: 'mn',
      roles: [
        { role: 'grid-worker', unit: '150824-104-007-01' },
        { role: 'grid-leader', unit: '150824-104-007-01' },
      ],
      login: { username: 'aodeng', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-erdun',
      name: '额尔敦',
      phone: '13904783456',
      lang: 'mn',
      roles: [{ role: 'village-secretary', unit: '150824-104-007' }],
      login: { username: 'erdun', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-wangjg',
      name: '王建国',
      phone: '13904784567',
      lang: 'zh',
      roles: [{ role: 'station-officer', unit: '150824-104' }],
      login: { username: 'wangjg', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-saren',
      name: '萨仁',
      phone: '13904785678',
      lang: 'zh',
      roles: [{ role: 'banner-duty-officer', unit: '150824' }],
      login: { username: 'saren', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-zhangli',
      name: '张丽',
      phone: '13904786789',
      lang: 'zh',
      roles: [{ role: 'banner-duty-officer', unit: '150825' }],
      login: { username: 'zhangli', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-menghe',
      name: '孟和',
      phone: '13904787890',
      lang: 'mn',
      roles: [{ role: 'grid-worker', unit: '150825-201-003-02' }],
      login: { username: 'menghe', password: DEMO_PASSWORD_HASH },
    },
    {
      id: 'p-gang',
      name: '高刚',
      phone: '13904788901',
      lang: 'zh',
      roles: [{ role: 'patrol-member', unit: '150825-201' }],
      team: 'team-150825-201-border',
    },
    {
      id: 'p-league',
      name: '李明',
      phone: '13904789012',
      lang: 'zh',
      roles: [
        { role: 'league-duty-officer', unit: '150800' },
        { role: 'admin', unit: '150800' },
      ],
      login: { username: 'liming', password: DEMO_PASSWORD_HASH },
    },
  ],
};

export const SMALL_LEAGUE: RegistryDocument = registryDocumentSchema.parse(input);
