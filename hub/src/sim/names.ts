import type { Texts } from '@steppelink/protocols';
import type { Rng } from './random.ts';

/** Place-name parts common on the Urad steppe, in Chinese transcription, traditional Mongolian script and Latin. */
const PLACE_WORDS: [zh: string, mn: string, en: string][] = [
  ['巴音', 'ᠪᠠᠶᠠᠨ', 'Bayan'],
  ['乌兰', 'ᠤᠯᠠᠭᠠᠨ', 'Ulaan'],
  ['宝力格', 'ᠪᠤᠯᠠᠭ', 'Bulag'],
  ['查干', 'ᠴᠠᠭᠠᠨ', 'Chagaan'],
  ['哈日', 'ᠬᠠᠷ᠎ᠠ', 'Khar'],
  ['呼和', 'ᠬᠥᠬᠡ', 'Khukh'],
  ['敖包', 'ᠣᠪᠣᠭ᠎ᠠ', 'Oboo'],
  ['陶勒盖', 'ᠲᠣᠯᠤᠭᠠᠢ', 'Tolgoi'],
  ['诺尔', 'ᠨᠠᠭᠤᠷ', 'Nuur'],
  ['乌素', 'ᠤᠰᠤ', 'Us'],
  ['温都尔', 'ᠥᠨᠳᠥᠷ', 'Undur'],
  ['塔拉', 'ᠲᠠᠯ᠎ᠠ', 'Tal'],
  ['高勒', 'ᠭᠣᠣᠯ', 'Gol'],
  ['额尔登', 'ᠡᠷᠳᠡᠨᠢ', 'Erdene'],
  ['阿拉坦', 'ᠠᠯᠲᠠᠨ', 'Altan'],
  ['希热', 'ᠰᠢᠷ᠎ᠡ', 'Shire'],
];

export function placeName(rng: Rng, suffix: Texts): Texts {
  const a = rng.pick(PLACE_WORDS);
  let b = rng.pick(PLACE_WORDS);
  while (b === a) b = rng.pick(PLACE_WORDS);
  return {
    zh: `${a[0]}${b[0]}${suffix.zh}`,
    mn: `${a[1]} ${b[1]} ${suffix.mn}`,
    en: `${a[2]} ${b[2]} ${suffix.en}`,
  };
}

const MONGOL_NAMES = [
  '巴特尔',
  '其其格',
  '乌云',
  '额尔敦',
  '斯琴',
  '那日苏',
  '孟和',
  '阿拉坦',
  '苏和',
  '图雅',
  '娜仁',
  '宝音',
  '格日勒',
  '敖其尔',
  '朝鲁',
  '吉日嘎拉',
  '萨日娜',
  '乌日娜',
  '额尔德尼',
  '满都拉',
  '特木尔',
  '哈斯',
  '毕力格',
  '达来',
];
const HAN_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '郭', '高', '马'];
const HAN_GIVEN = [
  '建国',
  '秀兰',
  '志强',
  '海燕',
  '玉梅',
  '文华',
  '春生',
  '桂英',
  '永军',
  '丽娟',
  '俊峰',
  '淑珍',
];

/** A resident's name; about two thirds of herders in the border sumus are Mongol. */
export function personName(rng: Rng): { name: string; lang: 'mn' | 'zh' } {
  if (rng.chance(0.65)) return { name: rng.pick(MONGOL_NAMES), lang: 'mn' };
  return { name: rng.pick(HAN_SURNAMES) + rng.pick(HAN_GIVEN), lang: 'zh' };
}

/** Mobile numbers as issued in Inner Mongolia (139/138/150/152/158 + 0478 area block). */
export function phoneNumber(rng: Rng): string {
  return `${rng.pick(['139', '138', '150', '152', '158', '147'])}0478${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

/** The real border sumus and towns of the two Urad banners, west to east as the sim lays them out (ids 150824-101…104, 150825-201…204). */
export const BORDER_SUMUS: Record<'150824' | '150825', [zh: string, mn: string, en: string][]> = {
  '150824': [
    ['川井苏木', 'ᠴᠤᠸᠠᠨᠵᠢᠩ ᠰᠤᠮᠤ', 'Chuanjing Sumu'],
    ['新忽热苏木', 'ᠰᠢᠨ᠎ᠡ ᠬᠦᠷᠢᠶ᠎ᠡ ᠰᠤᠮᠤ', 'Shine Khuree Sumu'],
    ['桑根达来苏木', 'ᠰᠠᠩᠭᠢᠨ ᠳᠠᠯᠠᠢ ᠰᠤᠮᠤ', 'Sangiin Dalai Sumu'],
    ['巴音乌兰苏木', 'ᠪᠠᠶᠠᠨ ᠤᠯᠠᠭᠠᠨ ᠰᠤᠮᠤ', 'Bayan Ulaan Sumu'],
  ],
  '150825': [
    ['潮格温都尔镇', 'ᠴᠣᠭ ᠥᠨᠳᠥᠷ ᠪᠠᠯᠭᠠᠰᠤ', 'Chaogewenduer Town'],
    ['获各琦苏木', 'ᠬᠣᠭᠴᠢ ᠰᠤᠮᠤ', 'Huogeqi Sumu'],
    ['巴音前达门苏木', 'ᠪᠠᠶᠠᠨ ᠡᠮᠦᠨ᠎ᠡ ᠳᠠᠮ ᠰᠤᠮᠤ', 'Bayan Emune Dam Sumu'],
    ['乌盖苏木', 'ᠤᠬᠠᠢ ᠰᠤᠮᠤ', 'Ukhai Sumu'],
  ],
};
