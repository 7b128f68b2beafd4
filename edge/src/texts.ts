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
} satisfies Record<string, Texts>;
