import { CANNED_REPLY_TEXTS, type CannedReply, type IncidentState, type Texts } from '@steppelink/protocols';

/**
 * What herders and officers read, in Chinese, Mongolian (traditional script) and English.
 * Mongolian case suffixes are joined with U+202F NARROW NO-BREAK SPACE, as the script's
 * orthography requires; `_` marks it in the source for readability.
 */
const mn = (s: string) => s.replaceAll('_', '\u202f');
const t = (zh: string, mnText: string, en: string): Texts => ({ zh, mn: mn(mnText), en });

export const ROLE_NAMES: Record<string, Texts> = {
  'grid-worker': t('网格员', 'ᠲᠣᠣᠷ_ᠤᠨ ᠠᠵᠢᠯᠲᠠᠨ', 'grid worker'),
  'grid-leader': t('网格长', 'ᠲᠣᠣᠷ_ᠤᠨ ᠳᠠᠷᠤᠭ᠎ᠠ', 'grid leader'),
  'village-secretary': t('嘎查村书记', 'ᠭᠠᠴᠠᠭ᠎ᠠ_ᠶᠢᠨ ᠰᠢᠦ᠋ᠵᠢ', 'village secretary'),
  'station-officer': t(
    '警民服务站值班员',
    'ᠴᠠᠭᠳᠠᠭ᠎ᠠ ᠢᠷᠭᠡᠨ_ᠦ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡᠨ_ᠦ ᠥᠷᠲᠡᠭᠡ_ᠶᠢᠨ ᠠᠵᠢᠯᠲᠠᠨ',
    'police-civilian service station officer',
  ),
  'banner-duty-officer': t('旗指挥平台值班员', 'ᠬᠣᠰᠢᠭᠤ_ᠶᠢᠨ ᠵᠢᠵᠦᠦᠷ_ᠦᠨ ᠠᠵᠢᠯᠲᠠᠨ', 'banner command duty officer'),
  'league-duty-officer': t('市指挥平台值班员', 'ᠬᠣᠲᠠ_ᠶᠢᠨ ᠵᠢᠵᠦᠦᠷ_ᠦᠨ ᠠᠵᠢᠯᠲᠠᠨ', 'league command duty officer'),
  'patrol-member': t('护边员', 'ᠬᠢᠯ_ᠢ ᠬᠠᠮᠠᠭᠠᠯᠠᠭᠴᠢ', 'border patrol member'),
  admin: t('管理员', 'ᠬᠠᠮᠢᠶᠠᠷᠤᠭᠴᠢ', 'administrator'),
};
export const roleName = (role: string): Texts => ROLE_NAMES[role] ?? { zh: role, mn: role, en: role };

export const CATEGORY_NAMES: Record<string, Texts> = {
  medical: t('急病', 'ᠭᠡᠨᠡᠳᠲᠡ ᠡᠪᠡᠳᠴᠢᠨ', 'medical emergency'),
  injury: t('受伤', 'ᠭᠡᠮᠳᠡᠯ ᠪᠡᠷᠴᠢᠮ', 'injury'),
  fire: t('火灾', 'ᠭᠠᠯ_ᠤᠨ ᠠᠶᠤᠯ', 'fire'),
  'lost-person': t('有人走失', 'ᠬᠦᠮᠦᠨ ᠲᠡᠭᠡᠷᠢᠭᠰᠡᠨ', 'missing person'),
  livestock: t('牲畜受困', 'ᠮᠠᠯ ᠬᠣᠷᠢᠭᠳᠠᠭᠰᠠᠨ', 'livestock in trouble'),
  blizzard: t('白灾（暴风雪）', 'ᠴᠠᠰᠤᠨ ᠵᠤᠳ', 'blizzard'),
  other: t('其他', 'ᠪᠤᠰᠤᠳ', 'other'),
  unknown: t('未说明原因', 'ᠰᠢᠯᠲᠠᠭᠠᠨ ᠲᠣᠳᠣᠷᠬᠠᠢ ᠦᠭᠡᠢ', 'reason not given'),
  dispute: t('矛盾纠纷', 'ᠮᠠᠷᠭᠠᠨ ᠵᠥᠷᠢᠴᠡᠯᠳᠦᠭᠡᠨ', 'dispute'),
  livelihood: t('民生问题', 'ᠠᠷᠠᠳ_ᠤᠨ ᠠᠮᠢᠳᠤᠷᠠᠯ_ᠤᠨ ᠠᠰᠠᠭᠤᠳᠠᠯ', 'livelihood problem'),
  hazard: t('安全隐患', 'ᠠᠶᠤᠯᠭᠦᠢ ᠪᠠᠢᠳᠠᠯ_ᠤᠨ ᠨᠢᠭᠤᠴᠠ ᠠᠶᠤᠯ', 'safety hazard'),
};
export const categoryName = (c: string): Texts => CATEGORY_NAMES[c] ?? { zh: c, mn: c, en: c };

export const RESCUES = ['helicopter', 'ambulance', 'patrol', 'neighbour', 'worker'] as const;
export type Rescue = (typeof RESCUES)[number];

/** "2小时13分钟" / "2 h 13 min". */
export function durationTexts(ms: number): Texts {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h === 0 && m === 0) return t(`${s}秒`, `${s} ᠰᠧᠺᠦ᠋ᠨ᠋ᠳ`, `${s} s`);
  if (h === 0) return t(`${m}分钟`, `${m} ᠮᠢᠨᠦ᠋ᠲ`, `${m} min`);
  return t(`${h}小时${m}分钟`, `${h} ᠴᠠᠭ ${m} ᠮᠢᠨᠦ᠋ᠲ`, `${h} h ${m} min`);
}

const join = (...parts: Texts[]): Texts => ({
  zh: parts.map((p) => p.zh).join(''),
  mn: parts.map((p) => p.mn).join(' '),
  en: parts.map((p) => p.en).join(' '),
});

const AGAIN = t(
  '如仍需帮助，请再次按下求救键。',
  'ᠳᠠᠬᠢᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠬᠡᠷᠡᠭᠲᠡᠢ ᠪᠣᠯ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠲᠣᠪᠴᠢ_ᠶᠢ ᠳᠠᠬᠢᠨ ᠳᠠᠷᠤᠭᠠᠷᠠᠢ᠃',
  'If you still need help, press SOS again.',
);
const STAY = t(
  '请留在原地，保持电话畅通。',
  'ᠪᠠᠢᠭ᠎ᠠ ᠭᠠᠵᠠᠷ_ᠲᠤ ᠪᠠᠨ ᠬᠦᠯᠢᠶᠡᠵᠦ᠂ ᠤᠲᠠᠰᠤ ᠪᠠᠨ ᠨᠡᠭᠡᠭᠡᠯᠲᠡᠢ ᠪᠠᠢᠯᠭᠠᠭᠠᠷᠠᠢ᠃',
  'Stay where you are and keep your phone on.',
);

export interface Holder {
  name: string;
  role: string;
  phone?: string | null;
}

function dispatchedTexts(rescue: Rescue | undefined, by: Holder | undefined): Texts {
  const who = by ? roleName(by.role) : roleName('grid-worker');
  const name = by?.name ?? '';
  switch (rescue) {
    case 'helicopter':
      return t(
        '救援直升机已出发。',
        'ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠡᠷᠭᠢᠯᠳᠡᠭᠦᠷᠲᠦ ᠨᠢᠰᠬᠡᠯ ᠭᠠᠷᠴᠤ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃',
        'A rescue helicopter is on its way.',
      );
    case 'ambulance':
      return t(
        '救护车已出发。',
        'ᠲᠦᠷᠭᠡᠨ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ_ᠶᠢᠨ ᠲᠡᠷᠭᠡ ᠭᠠᠷᠴᠤ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃',
        'An ambulance is on its way.',
      );
    case 'patrol':
      return t(
        '巡逻队已出发，正赶往您处。',
        'ᠡᠷᠭᠦᠯ_ᠦᠨ ᠪᠦᠯᠦᠭ ᠲᠠᠨ_ᠤ ᠡᠵᠢ ᠭᠠᠷᠴᠤ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃',
        'A patrol team is on its way to you.',
      );
    case 'neighbour':
      return t(
        '已请附近的邻居前去帮忙。',
        'ᠣᠢᠷ᠎ᠠ ᠬᠠᠪᠢ_ᠶᠢᠨ ᠬᠥᠷᠰᠢ ᠠᠢᠯ_ᠢ ᠲᠤᠰᠠᠯᠠᠬᠤ_ᠪᠠᠷ ᠢᠯᠡᠭᠡᠪᠡ᠃',
        'A neighbour nearby has been asked to come and help.',
      );
    default:
      return t(
        `${who.zh}${name}正在赶往您处。`,
        `${who.mn} ${name} ᠲᠠᠨ_ᠤ ᠡᠵᠢ ᠢᠷᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃`,
        `${cap(who.en)} ${name} is on the way to you.`,
      );
  }
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The text on the household's screen for each state of its SOS: what happens and who has it.
 * `previous` is the role that did not answer when the alert climbed a level.
 */
export function sosAckTexts(
  state: IncidentState,
  o: { by?: Holder; previous?: string; rescue?: Rescue; lateMs?: number; byHousehold?: boolean },
): Texts {
  const role = o.by ? roleName(o.by.role) : undefined;
  const name = o.by?.name ?? '';
  const phone = o.by?.phone ? o.by.phone : undefined;
  const late =
    o.lateMs !== undefined && (state === 'open' || state === 'notified')
      ? (() => {
          const d = durationTexts(o.lateMs);
          return t(
            `（因信号中断，您的求救晚到了${d.zh}。）`,
            `(ᠰᠦᠯᠵᠢᠶ᠎ᠡ ᠲᠠᠰᠤᠷᠠᠭᠰᠠᠨ ᠲᠤᠯᠠ ᠲᠠᠨ_ᠤ ᠳᠣᠬᠢᠶ᠎ᠠ ${d.mn} ᠬᠣᠴᠣᠷᠠᠵᠤ ᠬᠦᠷᠪᠡ᠃)`,
            `(Your SOS reached us ${d.en} late because the link was down.)`,
          );
        })()
      : t('', '', '');
  const trim = (x: Texts): Texts => ({ zh: x.zh, mn: x.mn.trim(), en: x.en.trim() });
  switch (state) {
    case 'open':
      return trim(
        join(
          t(
            '已收到您的求救，正在联系值班人员。',
            'ᠲᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠯ᠎ᠠ᠂ ᠵᠢᠵᠦᠦᠷ_ᠦᠨ ᠠᠵᠢᠯᠲᠠᠨ_ᠲᠠᠢ ᠬᠣᠯᠪᠣᠭᠳᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ᠃',
            'Your SOS has been received. We are reaching the person on duty.',
          ),
          late,
        ),
      );
    case 'notified': {
      const r = role ?? roleName('grid-worker');
      const head = o.previous
        ? t(
            `${roleName(o.previous).zh}未能及时确认，您的求救已转给${r.zh}${name}，正在等待确认。`,
            `${roleName(o.previous).mn} ᠴᠠᠭ_ᠲᠤ_ᠨᠢ ᠬᠠᠷᠢᠭᠤ ᠥᠭᠭᠦᠭᠡᠳᠦᠢ ᠲᠤᠯᠠ᠂ ᠲᠠᠨ_ᠤ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ${r.mn} ${name}_ᠳᠤ ᠰᠢᠯᠵᠢᠭᠦᠯᠪᠡ᠃`,
            `The ${roleName(o.previous).en} did not confirm in time; your SOS has gone to ${r.en} ${name}.`,
          )
        : t(
            `您的求救已通知${r.zh}${name}，正在等待对方确认。`,
            `ᠲᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ${r.mn} ${name}_ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠪᠡ᠂ ᠬᠠᠷᠢᠭᠤ_ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃`,
            `Your SOS has been sent to ${r.en} ${name}; waiting for them to confirm.`,
          );
      return trim(join(head, late));
    }
    case 'acknowledged': {
      const r = role ?? roleName('grid-worker');
      return join(
        t(
          `${r.zh}${name}已收到您的求救，正在处理。`,
          `${r.mn} ${name} ᠲᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠴᠤ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃`,
          `${cap(r.en)} ${name} has your SOS and is acting on it.`,
        ),
        phone
          ? t(
              `请保持电话畅通，对方电话${phone}。`,
              `ᠤᠲᠠᠰᠤ ᠪᠠᠨ ᠨᠡᠭᠡᠭᠡᠯᠲᠡᠢ ᠪᠠᠢᠯᠭᠠᠭᠠᠷᠠᠢ᠃ ᠤᠲᠠᠰᠤ: ${phone}`,
              `Keep your phone on; you can call them on ${phone}.`,
            )
          : t('请保持电话畅通。', 'ᠤᠲᠠᠰᠤ ᠪᠠᠨ ᠨᠡᠭᠡᠭᠡᠯᠲᠡᠢ ᠪᠠᠢᠯᠭᠠᠭᠠᠷᠠᠢ᠃', 'Keep your phone on.'),
      );
    }
    case 'dispatched':
      return join(dispatchedTexts(o.rescue, o.by), STAY);
    case 'resolved':
      return join(
        t(
          '本次求救已处理完毕。',
          'ᠡᠨᠡ ᠤᠳᠠᠭᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ᠃',
          'This SOS has been dealt with.',
        ),
        AGAIN,
      );
    case 'cancelled':
      return join(
        o.byHousehold
          ? t(
              '您已取消本次求救，值班人员已收到通知。',
              'ᠲᠠ ᠡᠨᠡ ᠤᠳᠠᠭᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠪᠠᠨ ᠪᠣᠯᠢᠭᠤᠯᠵᠤ᠂ ᠵᠢᠵᠦᠦᠷ_ᠦᠨ ᠠᠵᠢᠯᠲᠠᠨ_ᠳᠤ ᠮᠡᠳᠡᠭᠳᠡᠪᠡ᠃',
              'You cancelled this SOS; the people on duty have been told.',
            )
          : t(
              '本次求救已取消。',
              'ᠡᠨᠡ ᠤᠳᠠᠭᠠᠨ_ᠤ ᠠᠪᠤᠷᠠᠯ_ᠤᠨ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ᠪᠣᠯᠢᠭᠤᠯᠪᠠ᠃',
              'This SOS has been cancelled.',
            ),
        AGAIN,
      );
    case 'false-alarm':
      return join(
        t(
          '本次求救已确认为误按，已关闭。',
          'ᠡᠨᠡ ᠤᠳᠠᠭᠠᠨ_ᠤ ᠳᠣᠬᠢᠶ᠎ᠠ_ᠶᠢ ᠪᠤᠷᠤᠭᠤ ᠳᠠᠷᠤᠭᠳᠠᠭᠰᠠᠨ ᠭᠡᠵᠦ ᠲᠣᠭᠲᠠᠭᠠᠭᠠᠳ ᠬᠠᠭᠠᠪᠠ᠃',
          'This SOS was confirmed as a false alarm and closed.',
        ),
        AGAIN,
      );
  }
}

/** Prefix for a page that is not the first: reminders, re-escalation, closing notices. */
export function pagePrefix(
  kind: 'reminder' | 'reescalated' | 'cancelled' | 'resolved' | 'false-alarm',
  n = 0,
): Texts {
  switch (kind) {
    case 'reminder':
      return t(`【第${n}次提醒】`, `【${n} ᠳᠤᠭᠠᠷ ᠰᠠᠨᠠᠭᠤᠯᠤᠯᠭ᠎ᠠ】`, `[Reminder ${n}]`);
    case 'reescalated':
      return t(
        '【已确认但未出动】',
        '【ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠪᠣᠯᠪᠠᠴᠤ ᠭᠠᠷᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ】',
        '[Acknowledged, not yet dispatched]',
      );
    case 'cancelled':
      return t('【已取消，无需前往】', '【ᠪᠣᠯᠢᠭᠤᠯᠪᠠ᠂ ᠣᠴᠢᠬᠤ ᠬᠡᠷᠡᠭ ᠦᠭᠡᠢ】', '[Cancelled, no need to go]');
    case 'resolved':
      return t('【已处理完毕】', '【ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠵᠦ ᠳᠠᠭᠤᠰᠪᠠ】', '[Resolved]');
    case 'false-alarm':
      return t('【误报，已关闭】', '【ᠪᠤᠷᠤᠭᠤ ᠳᠣᠬᠢᠶ᠎ᠠ᠂ ᠬᠠᠭᠠᠪᠠ】', '[False alarm, closed]');
  }
}

export function prefixed(prefix: Texts, body: Texts): Texts {
  return { zh: `${prefix.zh}${body.zh}`, mn: `${prefix.mn} ${body.mn}`, en: `${prefix.en} ${body.en}` };
}

/** Alert summary for an SOS from a household box or a patrol tracker. */
export function sosSummary(o: {
  household?: { name: string };
  unitName: Texts;
  deviceId: string;
  team?: string;
  category: string;
}): Texts {
  const c = categoryName(o.category);
  if (o.household) {
    const h = o.household.name;
    return t(
      `SOS：${h}家（${o.unitName.zh}）按下一键求救 · ${c.zh}`,
      `SOS: ${h}_ᠤᠨ ᠭᠡᠷ ᠪᠦᠯᠢ (${o.unitName.mn}) ᠠᠪᠤᠷᠠᠯ ᠭᠤᠶᠤᠵᠤ ᠪᠠᠢᠨ᠎ᠠ · ${c.mn}`,
      `SOS: the ${h} household (${o.unitName.en}) pressed the rescue button · ${c.en}`,
    );
  }
  const team = o.team ?? o.deviceId;
  return t(
    `SOS：${team}巡逻终端${o.deviceId}发出求救 · ${c.zh}`,
    `SOS: ${team} ᠡᠷᠭᠦᠯ_ᠦᠨ ᠲᠥᠬᠥᠭᠡᠷᠦᠮᠵᠢ ${o.deviceId} ᠠᠪᠤᠷᠠᠯ ᠭᠤᠶᠤᠵᠤ ᠪᠠᠢᠨ᠎ᠠ · ${c.mn}`,
    `SOS from patrol tracker ${o.deviceId} (${team}) · ${c.en}`,
  );
}

/** Summary of a worker's report (事件上报). */
export function reportSummary(o: {
  category: string;
  unitName: Texts;
  reporter: string;
  note: string;
}): Texts {
  const c = categoryName(o.category);
  return t(
    `事件上报：${c.zh}（${o.unitName.zh}，${o.reporter}上报）${o.note}`,
    `ᠬᠡᠷᠡᠭ ᠶᠠᠪᠤᠳᠠᠯ ᠮᠡᠳᠡᠭᠦᠯᠦᠯ: ${c.mn} (${o.unitName.mn}, ${o.reporter}) ${o.note}`,
    `Report: ${c.en} (${o.unitName.en}, reported by ${o.reporter}) ${o.note}`,
  );
}

/** Why a worker's ack (or decline) from the phone was not applied. */
export type AckRefusal = 'not-allowed' | 'no-incident';

/** The phone's reply when its ack was refused (the Mongolian wants a native speaker's check). */
export function ackRefusedTexts(why: AckRefusal): Texts {
  const head = t('【确认未被接受】', '【ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠢᠨᠢ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ】', '[Acknowledgement not accepted]');
  return prefixed(
    head,
    why === 'no-incident'
      ? t('找不到该事件。', 'ᠡᠨᠡ ᠬᠡᠷᠡᠭ ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ᠃', 'There is no such incident.')
      : t(
          '您未被呼叫处理此事件，在其所属单位也没有值班职务，无权确认。',
          'ᠲᠠ ᠡᠨᠡ ᠬᠡᠷᠡᠭ_ᠢ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ ᠡᠷᠬᠡ ᠦᠭᠡᠢ᠃',
          'You were not paged for this incident and hold no duty role in its unit, so you cannot acknowledge it.',
        ),
  );
}

/**
 * What a responder reads when the household replies during its SOS (issue #27): who, then the
 * canned phrase in the reader's language and/or the text as typed ("其其格家回复：需要医生").
 */
export function replyTexts(o: {
  household?: string;
  deviceId: string;
  canned?: CannedReply;
  text?: string;
}): Texts {
  const phrase = o.canned ? CANNED_REPLY_TEXTS[o.canned] : undefined;
  const said = (lang: keyof Texts, sep: string) =>
    [phrase?.[lang], o.text === undefined ? undefined : `“${o.text}”`].filter(Boolean).join(sep);
  if (o.household) {
    const h = o.household;
    return t(
      `${h}家回复：${said('zh', '，')}`,
      `${h}_ᠤᠨ ᠭᠡᠷ ᠪᠦᠯᠢ: ${said('mn', ' ')}`,
      `The ${h} household replies: ${said('en', ', ')}`,
    );
  }
  return t(
    `终端${o.deviceId}回复：${said('zh', '，')}`,
    `${o.deviceId}: ${said('mn', ' ')}`,
    `Tracker ${o.deviceId} replies: ${said('en', ', ')}`,
  );
}
