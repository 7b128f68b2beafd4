import type { Texts } from '@steppelink/protocols';

/**
 * What the TV shows for the herder's SOS, in Chinese, traditional Mongolian script and English.
 * The Mongolian strings should be reviewed by a native speaker before release.
 */
export const SOS_TEXTS = {
  idle: {
    zh: '如遇紧急情况，请按求救键',
    mn: 'ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ ᠦᠶᠡᠰ ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢᠨ ᠳᠠᠷᠤᠭᠤᠯ ᠢ ᠳᠠᠷᠤᠭᠠᠷᠠᠢ',
    en: 'In an emergency, press the SOS key',
  },
  unsaved: {
    zh: '求救未能保存：本机存储已满或出错。本机会一直重试，请同时打电话求救（110 或嘎查、网格员）',
    mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢ ᠬᠠᠳᠠᠭᠠᠯᠠᠵᠤ ᠴᠢᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ᠂ ᠳᠠᠬᠢᠨ ᠣᠷᠤᠯᠳᠤᠵᠤ ᠪᠠᠢᠨ᠎ᠠ᠃ ᠤᠲᠠᠰᠤ ᠪᠠᠷ ᠴᠤ ᠲᠤᠰᠠᠯᠠᠮᠵᠢ ᠭᠤᠢᠭᠠᠷᠠᠢ (110)',
    en: 'Your SOS could not be saved: this box’s storage is full or failing. It keeps trying while the box is on; call for help by phone as well (110 or your gacha/grid worker)',
  },
  sending: { zh: '正在发送求救…', mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠢᠯᠡᠭᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ…', en: 'Sending your SOS…' },
  delivered: {
    zh: '求救已送达指挥平台，正在通知值班人员',
    mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠬᠦᠷᠴᠡᠢ᠂ ᠵᠢᠭᠦᠦᠷ ᠦᠨ ᠬᠦᠮᠦᠨ ᠢ ᠮᠡᠳᠡᠭᠳᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ',
    en: 'Your SOS has reached the command platform; the people on duty are being called',
  },
  confirmCancel: {
    zh: '确定要取消求救吗？请再按一次“取消”确认',
    mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢ ᠪᠤᠴᠠᠭᠠᠬᠤ ᠤᠤ? ᠳᠠᠬᠢᠨ ᠳᠠᠷᠤᠵᠤ ᠪᠠᠲᠤᠯᠠᠭᠠᠷᠠᠢ',
    en: 'Cancel the SOS? Press "cancel" again to confirm',
  },
  cancelling: { zh: '正在取消求救…', mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢ ᠪᠤᠴᠠᠭᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ…', en: 'Cancelling the SOS…' },
  cancelled: { zh: '求救已取消', mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠪᠤᠴᠠᠭᠠᠭᠳᠠᠪᠠ', en: 'The SOS was cancelled' },
  closed: { zh: '求救已处理完毕', mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠬᠠᠭᠠᠭᠳᠠᠪᠠ', en: 'The SOS has been closed' },
} satisfies Record<string, Texts>;

/** The line the notice page shows while the box's storage is full or failing (absent when it is fine). */
export const STORAGE_TEXTS = {
  full: {
    zh: '本机存储已满：位置等数据暂停记录，求救键仍可使用。请联系维护人员清理',
    mn: 'ᠬᠠᠳᠠᠭᠠᠯᠠᠬᠤ ᠣᠷᠣᠨ ᠳᠦᠭᠦᠷᠴᠡᠢ᠂ ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢᠨ ᠳᠠᠷᠤᠭᠤᠯ ᠠᠵᠢᠯᠯᠠᠨ᠎ᠠ᠃ ᠵᠠᠰᠠᠪᠤᠷᠢ ᠶᠢᠨ ᠬᠦᠮᠦᠨ ᠳᠦ ᠮᠡᠳᠡᠭᠳᠡᠭᠡᠷᠡᠢ',
    en: 'This box’s storage is full: positions and readings are not recorded, the SOS key still works. Ask the maintainer to free space',
  },
  failing: {
    zh: '本机存储出错：求救键仍会尝试发送，请尽快联系维护人员',
    mn: 'ᠬᠠᠳᠠᠭᠠᠯᠠᠬᠤ ᠣᠷᠣᠨ ᠳᠤ ᠠᠯᠳᠠᠭ᠎ᠠ ᠭᠠᠷᠪᠠ᠃ ᠵᠠᠰᠠᠪᠤᠷᠢ ᠶᠢᠨ ᠬᠦᠮᠦᠨ ᠳᠦ ᠮᠡᠳᠡᠭᠳᠡᠭᠡᠷᠡᠢ',
    en: 'This box’s storage is failing: the SOS key still tries to send. Ask the maintainer soon',
  },
} satisfies Record<string, Texts>;

/** "Received by <name>" when the hub's sos-ack carries no text of its own. */
export function receivedBy(name: string): Texts {
  return { zh: `${name} 已收到您的求救`, mn: `${name} ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠴᠤᠢ`, en: `Received by ${name}` };
}

/** Labels on the local notice page. */
export const PAGE_TEXTS = {
  title: { zh: '通知', mn: 'ᠮᠡᠳᠡᠭᠳᠡᠯ', en: 'Notices' },
  none: { zh: '暂无通知', mn: 'ᠮᠡᠳᠡᠭᠳᠡᠯ ᠪᠠᠢᠬᠤ ᠦᠭᠡᠢ', en: 'No notices' },
  emergency: { zh: '紧急', mn: 'ᠶᠠᠭᠠᠷᠠᠯᠲᠠᠢ', en: 'Emergency' },
  warning: { zh: '预警', mn: 'ᠰᠡᠷᠡᠮᠵᠢᠯᠡᠬᠦᠯᠦᠯ', en: 'Warning' },
  information: { zh: '通知', mn: 'ᠮᠡᠳᠡᠭᠡ', en: 'Information' },
  until: { zh: '有效期至', mn: 'ᠬᠦᠴᠦᠨ ᠲᠡᠢ ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ', en: 'Valid until' },
  sos: { zh: '求救', mn: 'ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ', en: 'SOS' },
  drill: {
    zh: '演练：这不是真实求救',
    mn: 'ᠳᠠᠰᠬᠠᠯ᠄ ᠵᠢᠩᠬᠢᠨᠢ ᠳᠤᠤᠳᠠᠯᠭ᠎ᠠ ᠪᠢᠰᠢ',
    en: 'DRILL: not a real emergency',
  },
  talk: { zh: '与救援人员的留言', mn: 'ᠠᠪᠤᠷᠠᠭᠴᠢ ᠲᠠᠢ ᠮᠡᠳᠡᠭᠡ', en: 'Messages with the rescuers' },
  reply: {
    zh: '用遥控器选择回复',
    mn: 'ᠠᠯᠤᠰ ᠤᠳᠤᠷᠢᠳᠬᠤ ᠪᠠᠭᠠᠵᠢ ᠪᠠᠷ ᠬᠠᠷᠢᠭᠤ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ',
    en: 'Pick a reply with the remote',
  },
  you: { zh: '我方', mn: 'ᠪᠢᠳᠡ', en: 'Us' },
  write: { zh: '或输入简短文字', mn: 'ᠡᠰᠡᠪᠡᠯ ᠪᠣᠭᠣᠨᠢ ᠪᠢᠴᠢᠭ ᠪᠢᠴᠢᠭᠡᠷᠡᠢ', en: 'or type a short text' },
  send: { zh: '发送', mn: 'ᠢᠯᠡᠭᠡᠬᠦ', en: 'Send' },
  queued: { zh: '等待发送', mn: 'ᠢᠯᠡᠭᠡᠬᠦ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠦ ᠪᠠᠢᠨ᠎ᠠ', en: 'waiting to send' },
  sent: { zh: '已送达', mn: 'ᠬᠦᠷᠭᠡᠭᠳᠡᠪᠡ', en: 'delivered' },
} satisfies Record<string, Texts>;
