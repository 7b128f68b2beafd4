/**
 * Columns of the two sheets grid offices keep, with the headers they may carry: Chinese as
 * the offices write them, English for everyone else. A header may hold both ("户编号 id",
 * "户编号/id", "户编号(id)"). Matching ignores case, spaces and underscores.
 */
export const SHEETS = {
  households: {
    id: ['户编号', 'id', 'household', 'household_id'],
    grid: ['网格', '网格编号', 'grid'],
    name: ['户主', '姓名', 'name', 'head'],
    phone: ['电话', '手机', '联系电话', 'phone'],
    lang: ['语言', 'lang', 'language'],
    lat: ['纬度', 'lat', 'latitude'],
    lon: ['经度', 'lon', 'lng', 'longitude'],
    members: ['成员', '家庭成员', 'members'],
    notes: ['备注', 'notes', 'note'],
  },
  devices: {
    id: ['设备编号', 'id', 'device', 'device_id'],
    kind: ['类型', '设备类型', 'kind', 'type'],
    household: ['户编号', 'household', 'household_id'],
    team: ['护边队', '巡逻队', 'team', 'patrol_team'],
    label: ['标签', '名称', 'label'],
    enabled: ['启用', 'enabled'],
    secret: ['密钥', 'secret'],
  },
} as const;

export type Sheet = keyof typeof SHEETS;
export type Column<S extends Sheet> = keyof (typeof SHEETS)[S] & string;

export const REQUIRED: { [S in Sheet]: Column<S>[] } = {
  households: ['id', 'grid', 'name', 'lat', 'lon'],
  devices: ['id', 'kind'],
};

const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');

/** The column a header names, or undefined. */
export function columnOf<S extends Sheet>(sheet: S, header: string): Column<S> | undefined {
  const cols = Object.entries(SHEETS[sheet]) as [Column<S>, readonly string[]][];
  const find = (part: string) => cols.find(([, names]) => names.some((n) => norm(n) === part))?.[0];
  // the whole header first ("household id"), then each of its parts ("户编号 id" → 户编号, id)
  const whole = find(norm(header.replace(/^\uFEFF/, '')));
  if (whole) return whole;
  const parts = header
    .split(/[\s/|()（）、，,]+/)
    .filter(Boolean)
    .map(norm);
  const found = new Set(parts.map(find).filter((c): c is Column<S> => c !== undefined));
  return found.size === 1 ? [...found][0] : undefined; // "户编号 id" is fine; "id kind" is ambiguous
}

/** Which sheet a header row belongs to: devices carry a kind, households a grid. */
export function detectSheet(headers: string[]): Sheet | undefined {
  if (headers.some((h) => columnOf('devices', h) === 'kind')) return 'devices';
  if (headers.some((h) => columnOf('households', h) === 'grid')) return 'households';
  return undefined;
}

/** Canonical header row for a sheet (what `toCsv` writes and the examples use). */
export const headerRow = (sheet: Sheet): string[] =>
  Object.entries(SHEETS[sheet]).map(([col, names]) => `${names[0]} ${col}`);

const KINDS: Record<string, string> = {
  机顶盒: 'settop',
  定位器: 'tracker',
  北斗终端: 'tracker',
  项圈中继: 'collar-relay',
  传感器: 'sensor',
};
export const kindValue = (v: string): string => KINDS[v.trim()] ?? v.trim().toLowerCase();

const LANGS: Record<string, 'zh' | 'mn'> = {
  汉: 'zh',
  汉语: 'zh',
  中文: 'zh',
  zh: 'zh',
  蒙: 'mn',
  蒙语: 'mn',
  蒙古语: 'mn',
  蒙文: 'mn',
  mn: 'mn',
};
export const langValue = (v: string): string | undefined =>
  v.trim() === '' ? undefined : (LANGS[v.trim().toLowerCase()] ?? v.trim());

const YES = new Set(['是', '启用', 'yes', 'y', 'true', '1']);
const NO = new Set(['否', '停用', '禁用', 'no', 'n', 'false', '0']);
export const boolValue = (v: string): boolean | string | undefined => {
  const t = v.trim().toLowerCase();
  if (t === '') return undefined;
  return YES.has(t) ? true : NO.has(t) ? false : v;
};
