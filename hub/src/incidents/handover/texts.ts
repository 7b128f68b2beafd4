import type { Lang, Texts } from '@steppelink/protocols';

/**
 * What the printed rescue handover says, in Chinese, Mongolian (traditional script) and English.
 * As in ../texts.ts, `_` marks the U+202F NARROW NO-BREAK SPACE before a Mongolian case suffix.
 */
const mn = (s: string) => s.replaceAll('_', '\u202f');
const t = (zh: string, mnText: string, en: string): Texts => ({ zh, mn: mn(mnText), en });

export const LABELS = {
  title: t('救援交接单', 'ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠬᠦᠯᠢᠶᠡᠯᠭᠡ_ᠶᠢᠨ ᠬᠡᠭᠡᠳᠡᠰᠦ', 'Rescue handover'),
  incident: t('警情', 'ᠬᠡᠷᠡᠭ', 'Incident'),
  category: t('类别', 'ᠲᠥᠷᠥᠯ', 'Category'),
  severity: t('紧急程度', 'ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ ᠵᠡᠷᠭᠡ', 'Severity'),
  state: t('状态', 'ᠪᠠᠢᠳᠠᠯ', 'State'),
  opened: t('求救时间', 'ᠠᠪᠤᠷᠠᠯ ᠭᠤᠶᠤᠭᠰᠠᠨ ᠴᠠᠭ', 'SOS at'),
  dispatched: t('已派出', 'ᠢᠯᠡᠭᠡᠭᠰᠡᠨ', 'Dispatched'),
  place: t('所在地', 'ᠣᠷᠣᠨ ᠪᠠᠢᠷᠢ', 'Place'),
  position: t('位置（WGS-84）', 'ᠪᠠᠢᠷᠢ (WGS-84)', 'Position (WGS-84)'),
  decimal: t('十进制度', 'ᠠᠷᠪᠠᠲᠤ ᠭᠷᠠᠳᠤᠰ', 'Decimal degrees'),
  degMin: t('度分', 'ᠭᠷᠠᠳᠤᠰ ᠮᠢᠨᠦ᠋ᠲ', 'Degrees and minutes'),
  degMinSec: t('度分秒', 'ᠭᠷᠠᠳᠤᠰ ᠮᠢᠨᠦ᠋ᠲ ᠰᠧᠺᠦ᠋ᠨ᠋ᠳ', 'Degrees, minutes, seconds'),
  fixAt: t('定位时间', 'ᠪᠠᠢᠷᠢ ᠲᠣᠭᠲᠠᠭᠠᠭᠰᠠᠨ ᠴᠠᠭ', 'Fix taken'),
  age: t('距今', 'ᠥᠩᠭᠡᠷᠡᠭᠰᠡᠨ ᠴᠠᠭ', 'Age'),
  accuracy: t('精度', 'ᠨᠠᠷᠢᠯᠢᠭ', 'Accuracy'),
  unknown: t('未知', 'ᠮᠡᠳᠡᠭᠳᠡᠬᠦ ᠦᠭᠡᠢ', 'unknown'),
  none: t('无', 'ᠦᠭᠡᠢ', 'none'),
  household: t('牧户', 'ᠠᠢᠯ ᠥᠷᠬᠡ', 'Household'),
  members: t('家庭成员', 'ᠭᠡᠷ ᠪᠦᠯᠢ_ᠶᠢᠨ ᠭᠡᠰᠢᠭᠦᠳ', 'Members'),
  name: t('姓名', 'ᠨᠡᠷ᠎ᠡ', 'Name'),
  years: t('年龄', 'ᠨᠠᠰᠤ', 'Age'),
  phone: t('电话', 'ᠤᠲᠠᠰᠤ', 'Phone'),
  medical: t('病情与用药', 'ᠡᠪᠡᠳᠴᠢᠨ ᠪᠠ ᠡᠮ', 'Medical notes'),
  note: t('备注', 'ᠲᠠᠢᠯᠪᠤᠷᠢ', 'Note'),
  householdNote: t('牧户留言', 'ᠠᠢᠯ_ᠤᠨ ᠦᠯᠡᠳᠡᠭᠡᠭᠰᠡᠨ ᠦᠭᠡ', 'Message from the household'),
  nearest: t('附近', 'ᠣᠢᠷ᠎ᠠ ᠬᠠᠪᠢ', 'Nearby'),
  water: t('最近水井/水源', 'ᠬᠠᠮᠤᠭ_ᠤᠨ ᠣᠢᠷ᠎ᠠ ᠬᠤᠳᠳᠤᠭ', 'Nearest water point'),
  road: t('最近道路', 'ᠬᠠᠮᠤᠭ_ᠤᠨ ᠣᠢᠷ᠎ᠠ ᠵᠠᠮ', 'Nearest road'),
  timeline: t('经过', 'ᠶᠠᠪᠤᠴᠠ', 'Timeline'),
  track: t('近期轨迹', 'ᠰᠠᠶᠢᠬᠠᠨ_ᠤ ᠮᠥᠷ', 'Recent track'),
  generated: t('生成时间', 'ᠪᠡᠯᠡᠳᠬᠡᠭᠰᠡᠨ ᠴᠠᠭ', 'Made at'),
  time: t('时间', 'ᠴᠠᠭ', 'Time'),
  event: t('事件', 'ᠦᠢᠯᠡ ᠶᠠᠪᠤᠳᠠᠯ', 'Event'),
  by: t('人员', 'ᠬᠦᠮᠦᠨ', 'By'),
  drill: t('【演练】', 'ᠳᠠᠰᠬᠠᠯ:', 'DRILL:'),
  gpxLink: t('轨迹文件（GPX）', 'ᠮᠥᠷ_ᠦᠨ ᠹᠠᠢᠯ (GPX)', 'Track file (GPX)'),
  jsonLink: t('数据（JSON）', 'ᠲᠣᠭ᠎ᠠ ᠪᠠᠷᠢᠮᠲᠠ (JSON)', 'Data (JSON)'),
} as const;

export const POSITION_SOURCES = {
  sos: t('求救按键时上报', 'ᠠᠪᠤᠷᠠᠯ ᠭᠤᠶᠤᠬᠤ ᠦᠶ᠎ᠡ_ᠶᠢᠨ ᠪᠠᠢᠷᠢ', 'sent with the SOS'),
  track: t('设备最新定位', 'ᠲᠥᠬᠥᠭᠡᠷᠦᠮᠵᠢ_ᠶᠢᠨ ᠬᠠᠮᠤᠭ_ᠤᠨ ᠰᠢᠨ᠎ᠡ ᠪᠠᠢᠷᠢ', "the device's latest fix"),
  home: t(
    '牧户登记住址（设备未上报位置）',
    'ᠠᠢᠯ_ᠤᠨ ᠪᠦᠷᠢᠳᠬᠡᠯ_ᠦᠨ ᠬᠠᠶᠢᠭ (ᠲᠥᠬᠥᠭᠡᠷᠦᠮᠵᠢ ᠪᠠᠢᠷᠢ ᠢᠯᠡᠭᠡᠭᠡᠭᠦᠢ)',
    "the household's registered home (the device sent no position)",
  ),
} as const;

export const SEVERITY_NAMES: Record<string, Texts> = {
  critical: t('特急', 'ᠮᠠᠰᠢ ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ', 'critical'),
  high: t('紧急', 'ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ', 'high'),
  medium: t('一般', 'ᠳᠤᠮᠳᠠ', 'medium'),
  low: t('较低', 'ᠪᠠᠭ᠎ᠠ', 'low'),
};

export const RESCUE_NAMES: Record<string, Texts> = {
  helicopter: t('直升机', 'ᠨᠢᠰᠳᠡᠭ ᠲᠡᠷᠭᠡ', 'helicopter'),
  ambulance: t('救护车', 'ᠲᠦᠷᠭᠡᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ_ᠶᠢᠨ ᠮᠠᠰᠢᠨ', 'ambulance'),
  patrol: t('巡逻队', 'ᠡᠷᠭᠦᠯ_ᠦᠨ ᠪᠠᠭ', 'patrol team'),
  neighbour: t('邻近牧户', 'ᠬᠥᠷᠰᠢ ᠠᠢᠯ', 'neighbour'),
  worker: t('网格员前往', 'ᠠᠵᠢᠯᠲᠠᠨ ᠣᠴᠢᠨ᠎ᠠ', 'grid worker goes'),
};

/** Timeline line types as the handover names them (the dashboard's catalogue says more, with names). */
export const EVENT_NAMES: Record<string, Texts> = {
  open: t('警情产生', 'ᠬᠡᠷᠡᠭ ᠡᠬᠢᠯᠡᠭᠰᠡᠨ', 'opened'),
  late: t('求救晚到（设备离线期间排队）', 'ᠬᠤᠵᠢᠭᠳᠠᠵᠤ ᠢᠷᠡᠭᠰᠡᠨ', 'arrived late (queued while offline)'),
  unrouted: t('各级均无人值班', 'ᠵᠢᠵᠦᠦᠷ ᠦᠭᠡᠢ', 'nobody on duty'),
  'pressed-again': t('再次按键', 'ᠳᠠᠬᠢᠨ ᠳᠠᠷᠤᠭᠰᠠᠨ', 'pressed again'),
  'late-press': t('关闭后又按键', 'ᠬᠠᠭᠠᠭᠳᠠᠭᠰᠠᠨ_ᠤ ᠳᠠᠷᠠᠭ᠎ᠠ ᠳᠠᠷᠤᠭᠰᠠᠨ', 'a press after closing'),
  paged: t('已通知', 'ᠮᠡᠳᠡᠭᠳᠡᠭᠰᠡᠨ', 'paged'),
  skipped: t('跳过（无人值班）', 'ᠠᠯᠭᠤᠰᠤᠭᠰᠠᠨ', 'skipped (nobody on duty)'),
  escalated: t('升级', 'ᠳᠡᠭᠡᠭᠰᠢᠯᠡᠭᠰᠡᠨ', 'escalated'),
  reminded: t('提醒', 'ᠰᠠᠨᠠᠭᠤᠯᠤᠭᠰᠠᠨ', 'reminded'),
  reescalated: t('未按时出动，再次升级', 'ᠳᠠᠬᠢᠨ ᠳᠡᠭᠡᠭᠰᠢᠯᠡᠭᠰᠡᠨ', 'escalated again (not dispatched in time)'),
  'top-reached': t('已到最高级', 'ᠬᠠᠮᠤᠭ_ᠤᠨ ᠳᠡᠭᠡᠳᠦ ᠳᠠᠪᠬᠤᠷᠭ᠎ᠠ', 'top level reached'),
  'reminders-exhausted': t('提醒已用尽', 'ᠰᠠᠨᠠᠭᠤᠯᠭ᠎ᠠ ᠳᠠᠭᠤᠰᠪᠠ', 'no more reminders'),
  unreachable: t('无法送达', 'ᠬᠣᠯᠪᠣᠭᠳᠠᠵᠤ ᠴᠢᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ', 'could not be reached'),
  declined: t('拒绝', 'ᠲᠡᠪᠴᠢᠭᠰᠡᠨ', 'declined'),
  'first-response': t('首次响应', 'ᠠᠩᠬᠠᠨ_ᠤ ᠬᠠᠷᠢᠭᠤ', 'first response'),
  'sos-path': t('求救送达', 'ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠠᠭᠤᠳᠠᠯᠭ᠎ᠠ ᠢᠷᠡᠯᠡ', 'SOS arrived'),
  notified: t('已通知', 'ᠮᠡᠳᠡᠭᠳᠡᠭᠰᠡᠨ', 'paged'),
  acknowledged: t('已确认', 'ᠪᠠᠲᠤᠯᠠᠭᠰᠠᠨ', 'acknowledged'),
  dispatched: t('已派遣', 'ᠢᠯᠡᠭᠡᠭᠰᠡᠨ', 'dispatched'),
  resolved: t('已处置', 'ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠭᠰᠡᠨ', 'resolved'),
  cancelled: t('已取消', 'ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠭᠰᠠᠨ', 'cancelled'),
  'false-alarm': t('误报', 'ᠬᠤᠳᠠᠯ ᠳᠣᠬᠢᠶ᠎ᠠ', 'false alarm'),
};

export const textOf = (catalogue: Record<string, Texts>, key: string): Texts =>
  catalogue[key] ?? { zh: key, mn: key, en: key };

/** "3 分钟前" / "3 min ago"; hours and days past an hour. */
export function agoText(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  const [n, unit] = d >= 1 ? [d, 2] : h >= 1 ? [h, 1] : m >= 1 ? [m, 0] : [s, -1];
  const units: Record<Lang, string[]> = {
    zh: ['秒', '分钟', '小时', '天'],
    mn: ['ᠰᠧᠺᠦ᠋ᠨ᠋ᠳ', 'ᠮᠢᠨᠦ᠋ᠲ', 'ᠴᠠᠭ', 'ᠡᠳᠦᠷ'],
    en: ['s', 'min', 'h', 'd'],
  };
  const u = units[lang][unit + 1]!;
  if (lang === 'zh') return `${n}${u}前`;
  if (lang === 'mn') return `${n} ${u}_ᠤᠨ ᠡᠮᠦᠨ᠎ᠡ`.replaceAll('_', '\u202f');
  return `${n} ${u} ago`;
}

/** "±12 米" / "±12 m". */
export function metresText(m: number, lang: Lang): string {
  const km = m >= 10_000;
  const n = km ? (m / 1000).toFixed(1) : String(Math.round(m));
  const unit = { zh: km ? '公里' : '米', mn: km ? 'ᠺᠮ' : 'ᠮᠧᠲ᠋ᠷ', en: km ? 'km' : 'm' }[lang];
  return `${n} ${unit}`;
}

/** The eight compass points, for "3.2 km to the north-east". */
export function compassText(bearingDeg: number, lang: Lang): string {
  const i = Math.round((((bearingDeg % 360) + 360) % 360) / 45) % 8;
  const names: Record<Lang, string[]> = {
    zh: ['北', '东北', '东', '东南', '南', '西南', '西', '西北'],
    mn: [
      'ᠬᠣᠶᠢᠲᠤ',
      'ᠵᠡᠭᠦᠨ ᠬᠣᠶᠢᠲᠤ',
      'ᠵᠡᠭᠦᠨ',
      'ᠵᠡᠭᠦᠨ ᠡᠮᠦᠨ᠎ᠡ',
      'ᠡᠮᠦᠨ᠎ᠡ',
      'ᠪᠠᠷᠠᠭᠤᠨ ᠡᠮᠦᠨ᠎ᠡ',
      'ᠪᠠᠷᠠᠭᠤᠨ',
      'ᠪᠠᠷᠠᠭᠤᠨ ᠬᠣᠶᠢᠲᠤ',
    ],
    en: ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'],
  };
  return names[lang][i]!;
}
