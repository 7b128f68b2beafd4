import type { Texts } from '@steppelink/protocols';

/**
 * Alert summaries in Chinese, Mongolian (traditional script) and English. Short, naming who and
 * where, for a grid worker's phone. (The Mongolian lines want a native speaker's review.)
 */
type ZoneName = { zh: string; mn?: string | undefined; en?: string | undefined };
const km = (m: number) => (m / 1000).toFixed(1);

export const texts = {
  stray: (who: string, subject: string, outM: number): Texts => ({
    zh: `${who}家的牲畜 ${subject} 离开草场约 ${Math.round(outM)} 米`,
    mn: `${who} ᠶᠢᠨ ᠮᠠᠯ ${subject} ᠪᠡᠯᠴᠢᠭᠡᠷ ᠡᠴᠡ ᠭᠠᠷᠪᠠ᠂ ${Math.round(outM)} ᠮᠧᠲᠷ`,
    en: `${who}'s livestock ${subject} left the pasture (${Math.round(outM)} m outside)`,
  }),
  borderApproach: (who: string, subject: string, distM: number): Texts => ({
    zh: `${who}家的牲畜 ${subject} 接近边境线（${km(distM)} 公里）`,
    mn: `${who} ᠶᠢᠨ ᠮᠠᠯ ${subject} ᠬᠢᠯ ᠳᠦ ᠣᠶᠢᠷᠠᠳᠪᠠ (${km(distM)} ᠺᠮ)`,
    en: `${who}'s livestock ${subject} is ${km(distM)} km from the border`,
  }),
  borderCrossing: (who: string, subject: string): Texts => ({
    zh: `${who} ${subject} 越过边境线`,
    mn: `${who} ${subject} ᠬᠢᠯ ᠢ ᠠᠯᠬᠤᠪᠠ`,
    en: `${who} ${subject} crossed the border line`,
  }),
  grazingBan: (who: string, subject: string, zone: ZoneName, ban: 'ban' | 'rest'): Texts => ({
    zh: `${who}家的牲畜 ${subject} 在${ban === 'ban' ? '禁牧区' : '休牧期的'}「${zone.zh}」内`,
    mn: `${who} ᠶᠢᠨ ᠮᠠᠯ ${subject} ${ban === 'ban' ? 'ᠮᠠᠯᠵᠢᠯ ᠬᠣᠷᠢᠭᠯᠠᠬᠤ' : 'ᠠᠮᠠᠷᠠᠭᠤᠯᠬᠤ'} ᠣᠷᠣᠨ «${zone.mn ?? zone.zh}» ᠳᠤ ᠪᠠᠶᠢᠨ᠎ᠠ`,
    en: `${who}'s livestock ${subject} is in ${ban === 'ban' ? 'the grazing ban area' : 'the rest-grazing area'} "${zone.en ?? zone.zh}"`,
  }),
  patrolGap: (unit: string, ranges: string, count: number, hours: number): Texts => ({
    zh: `${unit}：${count} 公里边境线超过 ${hours} 小时未巡逻（${ranges}）`,
    mn: `${unit}: ${count} ᠺᠮ ᠬᠢᠯ ${hours} ᠴᠠᠭ ᠡᠴᠡ ᠤᠯᠠᠮ ᠡᠷᠭᠦᠯ ᠦᠭᠡᠢ (${ranges})`,
    en: `${unit}: ${count} km of border not patrolled for over ${hours} h (${ranges})`,
  }),
  manDown: (team: string, device: string, minutes: number): Texts => ({
    zh: `${team} 巡逻定位器 ${device} 已静止 ${minutes} 分钟，可能有人员倒地`,
    mn: `${team} ᠶᠢᠨ ${device} ${minutes} ᠮᠢᠨᠦ᠋ᠲ ᠬᠥᠳᠡᠯᠦᠭᠡ ᠦᠭᠡᠢ᠂ ᠡᠷᠭᠦᠯ ᠦᠨ ᠬᠦᠮᠦᠨ ᠢ ᠰᠢᠯᠭᠠ`,
    en: `${team} tracker ${device} has not moved for ${minutes} min during a patrol: possible man down`,
  }),
  offline: (who: string, device: string, minutes: number): Texts => ({
    zh: `${who} 的设备 ${device} 已 ${minutes} 分钟无心跳`,
    mn: `${who} ᠶᠢᠨ ${device} ${minutes} ᠮᠢᠨᠦ᠋ᠲ ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠡᠴᠡ ᠲᠠᠰᠤᠷᠠᠪᠠ`,
    en: `${who}'s device ${device} silent for ${minutes} min`,
  }),
  gachaOffline: (gacha: string, count: number): Texts => ({
    zh: `${gacha} ${count} 台机顶盒同时离线（可能停电或断网）`,
    mn: `${gacha} ᠶᠢᠨ ${count} ᠲᠥᠬᠥᠭᠡᠷᠦᠮᠵᠢ ᠨᠢᠭᠡ ᠵᠡᠷᠭᠡ ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠡᠴᠡ ᠲᠠᠰᠤᠷᠠᠪᠠ`,
    en: `${gacha}: ${count} set-top boxes went silent together (power or network outage?)`,
  }),
  lowBattery: (who: string, device: string, pct: number): Texts => ({
    zh: `${who} 的设备 ${device} 电量低（${Math.round(pct)}%）`,
    mn: `${who} ᠶᠢᠨ ${device} ᠶᠢᠨ ᠲᠣᠭ ᠳᠣᠣᠷᠠ (${Math.round(pct)}%)`,
    en: `${who}'s device ${device} battery low (${Math.round(pct)}%)`,
  }),
  onBattery: (who: string, device: string, minutes: number): Texts => ({
    zh: `${who} 家停电，机顶盒 ${device} 已用电池 ${minutes} 分钟`,
    mn: `${who} ᠶᠢᠨ ᠭᠡᠷ ᠲᠦ ᠴᠠᠬᠢᠯᠭᠠᠨ ᠲᠠᠰᠤᠷᠠᠪᠠ᠂ ${device} ${minutes} ᠮᠢᠨᠦ᠋ᠲ ᠲᠣᠭ ᠬᠠᠳᠠᠭᠠᠯᠠᠭᠤᠷ ᠢᠶᠠᠷ`,
    en: `${who}: mains lost, box ${device} on battery for ${minutes} min`,
  }),
  powerCut: (gacha: string, count: number): Texts => ({
    zh: `${gacha} 疑似停电：${count} 台机顶盒转为电池供电`,
    mn: `${gacha} ᠳᠤ ᠴᠠᠬᠢᠯᠭᠠᠨ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ ᠪᠣᠯᠤᠯᠴᠠᠭ᠎ᠠ ᠲᠠᠢ: ${count} ᠲᠥᠬᠥᠭᠡᠷᠦᠮᠵᠢ ᠲᠣᠭ ᠬᠠᠳᠠᠭᠠᠯᠠᠭᠤᠷ ᠢᠶᠠᠷ`,
    en: `${gacha}: likely power cut, ${count} set-top boxes switched to battery`,
  }),
};

/** A text naming something that has its own name per language (a unit): each language gets its own name. */
export function localized(name: Texts, fn: (name: string) => Texts): Texts {
  return { zh: fn(name.zh).zh, mn: fn(name.mn).mn, en: fn(name.en).en };
}

/** Consecutive segment indices as km ranges: "km 12–30, km 45–46". */
export function kmRanges(
  segments: readonly { index: number; fromKm: number; toKm: number }[],
  max = 8,
): string {
  const sorted = [...segments].sort((a, b) => a.index - b.index);
  const ranges: [number, number][] = [];
  let prev = -2;
  for (const s of sorted) {
    const last = ranges.at(-1);
    if (last && s.index === prev + 1) last[1] = s.toKm;
    else ranges.push([s.fromKm, s.toKm]);
    prev = s.index;
  }
  const shown = ranges.slice(0, max).map(([a, b]) => `km ${Math.round(a)}–${Math.round(b)}`);
  return ranges.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}
