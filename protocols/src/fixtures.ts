import type { MessageInputOf, MessageKind } from './messages.ts';

/**
 * Example payloads for every message kind, drawn from the Urad border banners (乌拉特中旗 150824,
 * 乌拉特后旗 150825 of Bayannur league 150800). Other packages' tests reuse them; each must
 * validate (protocols tests check that), so they double as living documentation.
 */
const T = 1_764_028_800_000; // 2025-11-25 08:00 Asia/Shanghai

export const fixtures: { [K in MessageKind]: MessageInputOf<K>[] } = {
  sos: [
    {
      v: 1,
      id: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      ts: T,
      action: 'raise',
      category: 'blizzard',
      pos: { lat: 42.1213, lon: 108.4382, acc: 12 },
      power: { source: 'battery', battery: 64 },
      note: '羊群被困，家里老人发烧',
    },
    {
      v: 1,
      id: 'stb-150824-104-0007:sos:2',
      ts: T + 5_000,
      action: 'raise',
      category: 'unknown',
      presses: 3,
    },
    {
      v: 1,
      id: 'stb-150824-104-0007:sos:3',
      ts: T + 60_000,
      action: 'cancel',
      confirmed: true,
      raiseId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      note: '误按',
    },
  ],
  pos: [
    {
      v: 1,
      id: 'trk-patrol-150825-03:pos:881',
      ts: T + 31_000,
      t0: T,
      src: 'gpsd',
      fixes: [
        [0, 42.41032, 106.87411, 1321.5, 0.9, 11.2, 84.5],
        [10_000, 42.41051, 106.87544, 1322.1, 0.9, 11.4, 85],
        [20_000, 42.41066, 106.87679, null, 1.1, 11, 86.2],
      ],
    },
    {
      v: 1,
      id: 'col-150824-104-0007-a:pos:12',
      ts: T + 600_000,
      t0: T,
      src: 'sim',
      subject: 'herd-0007-sheep',
      fixes: [[0, 42.1302, 108.4511, null, null, null, null]],
    },
  ],
  grazing: [
    {
      v: 1,
      id: 'stb-150824-104-0007:grz:19',
      ts: T + 120_000,
      readings: [
        {
          type: 'collar',
          t: T,
          collarId: 'col-0007-a',
          battery: 71,
          activity: 38,
          pos: { lat: 42.1302, lon: 108.4511 },
        },
        { type: 'water', t: T + 1_000, pointId: 'wp-0007-1', levelPct: 42, frozen: false },
        { type: 'gate', t: T + 2_000, gateId: 'gate-0007', headCount: 312, direction: 'in' },
        { type: 'motion', t: T + 3_000, cameraId: 'cam-0007', events: 2, label: 'animal' },
      ],
    },
  ],
  hb: [
    {
      v: 1,
      id: 'stb-150824-104-0007:hb:5531',
      ts: T,
      agent: '0.1.0',
      fw: 'RaspiOS 12 arm64',
      uptimeS: 86_400,
      power: 'mains',
      rssi: -97,
      outbox: 0,
      clockOffsetMs: -420,
    },
    {
      v: 1,
      id: 'trk-patrol-150825-03:hb:77',
      ts: T,
      agent: '0.1.0',
      uptimeS: 3_600,
      power: 'battery',
      battery: 18,
      outbox: 214,
      evicted: 0,
    },
  ],
  receipt: [
    {
      v: 1,
      id: 'stb-150824-104-0007:rcp:1',
      ts: T + 4_000,
      noticeId: 'ntc-20251125-blizzard',
      state: 'delivered',
    },
    {
      v: 1,
      id: 'stb-150824-104-0007:rcp:2',
      ts: T + 95_000,
      noticeId: 'ntc-20251125-blizzard',
      state: 'read',
    },
  ],
  notice: [
    {
      v: 1,
      id: 'ntc-20251125-blizzard',
      ts: T,
      noticeId: 'ntc-20251125-blizzard',
      priority: 'emergency',
      validFrom: T,
      expiresAt: T + 2 * 86_400_000,
      texts: {
        zh: '暴雪预警：今夜至明日乌拉特中旗北部有大到暴雪，请将牲畜赶回棚圈，储备草料和燃料。',
        mn: 'ᠴᠠᠰᠤᠨ ᠵᠤᠳ ᠤᠨ ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ: ᠮᠠᠯ ᠢᠶᠠᠨ ᠬᠤᠷᠢᠶ᠎ᠠ ᠳᠤ ᠣᠷᠣᠭᠤᠯᠵᠤ᠂ ᠡᠪᠡᠰᠦ ᠲᠡᠵᠢᠭᠡᠯ ᠪᠡᠯᠡᠳᠬᠡᠭᠡᠷᠡᠢ᠃',
        en: 'Blizzard warning: heavy snow in northern Urad Middle Banner tonight and tomorrow. Bring livestock into shelters; store fodder and fuel.',
      },
      requireRead: true,
      audio: 'siren',
      issuer: { unitId: '150824', name: '乌拉特中旗应急管理局' },
    },
  ],
  'sos-ack': [
    {
      v: 1,
      id: 'ack-01KAWY3A',
      ts: T + 40_000,
      incidentId: 'inc-01KAWY2Z5N',
      sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      state: 'acknowledged',
      by: { name: '巴特尔', role: 'grid-worker', phone: '13904781234' },
      texts: {
        zh: '网格员巴特尔已收到您的求救，正在赶来。',
        mn: 'ᠪᠠᠭᠠᠲᠤᠷ ᠲᠠᠨ ᠤ ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠴᠤ᠂ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃',
        en: 'Grid worker Bater has your SOS and is on the way.',
      },
    },
  ],
  config: [
    { v: 1, id: 'cfg-0007-3', ts: T, hbIntervalS: 300, posIntervalS: 30, byteBudgetPerMin: 4096, lang: 'mn' },
  ],
  alert: [
    {
      v: 1,
      id: 'alr-01KAWY2Z9P',
      ts: T + 1_200,
      incidentId: 'inc-01KAWY2Z5N',
      source: 'sos',
      category: 'blizzard',
      severity: 'critical',
      summary: {
        zh: 'SOS：其其格家（3组）按下一键求救',
        mn: 'SOS: ᠴᠢᠴᠢᠭ ᠤᠨ ᠭᠡᠷ ᠪᠦᠯᠢ ᠠᠪᠤᠷᠠᠯ ᠭᠤᠶᠤᠵᠤ ᠪᠠᠢᠨ᠎ᠠ',
        en: 'SOS: the Qiqige household (group 3) pressed the rescue button',
      },
      unit: { id: '150824-104-007-03', name: '巴音哈太嘎查三组' },
      household: { id: 'hh-150824-104-0007', name: '其其格', phone: '15247801234' },
      pos: { lat: 42.1213, lon: 108.4382, acc: 12 },
      level: 0,
      role: 'grid-worker',
      ackBy: T + 1_200 + 180_000,
      openedAt: T + 1_000,
    },
  ],
  'sos-reply': [
    {
      v: 1,
      id: 'stb-150824-104-0007:rpl:1',
      ts: T + 95_000,
      type: 'say',
      sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      incidentId: 'inc-01KAWY2Z5N',
      canned: 'need-doctor',
    },
    {
      v: 1,
      id: 'stb-150824-104-0007:rpl:2',
      ts: T + 140_000,
      type: 'say',
      sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      text: '老人发高烧，路被雪堵了',
    },
    {
      v: 1,
      id: 'stb-150824-104-0007:rpl:3',
      ts: T + 190_000,
      type: 'read',
      sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      incidentId: 'inc-01KAWY2Z5N',
      messageId: 'msg-01KAWY4B7Q',
    },
  ],
  'sos-msg': [
    {
      v: 1,
      id: 'msg-01KAWY4B7Q',
      ts: T + 180_000,
      incidentId: 'inc-01KAWY2Z5N',
      sosId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      from: { name: '巴特尔', role: 'grid-worker' },
      text: '医生和我20分钟到，请让老人保暖',
    },
  ],
  'worker-ack': [
    {
      v: 1,
      id: 'wack-01KAWY3A',
      ts: T + 39_000,
      incidentId: 'inc-01KAWY2Z5N',
      action: 'ack',
      note: '马上出发',
    },
  ],
};
