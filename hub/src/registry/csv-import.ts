import type { z } from 'zod';
import { readSheet } from './csv.ts';
import { boolValue, type Column, kindValue, langValue, type Sheet } from './csv-columns.ts';
import type { ImportIssue } from './import-errors.ts';
import { type DeviceInput, deviceSchema, type Household, householdSchema } from './schema.ts';
import type { Registry } from './registry.ts';

export type SheetDocument =
  | { ok: true; sheet: 'households'; households: Household[]; lines: number[] }
  | { ok: false; errors: ImportIssue[] }
  | { ok: true; sheet: 'devices'; devices: DeviceInput[]; lines: number[] };

/**
 * A CSV sheet as registry rows, each checked with the registry schema; every bad cell is
 * reported with the row's line. What a sheet has no column for (a household's pasture polygon,
 * a device's enabled flag when there is no 启用 column) is kept from the store, so re-importing
 * a sheet never wipes what was set another way. An empty cell in a present column clears it.
 */
export function sheetDocument(text: string, store: Registry, sheet?: Sheet): SheetDocument {
  const read = readSheet(text, sheet);
  if (!read.ok) return read;
  const errors: ImportIssue[] = [];
  const issues = (e: z.ZodError, index: number, line: number, id: string | undefined) => {
    for (const i of e.issues) {
      const field = i.path.join('.') || undefined;
      if (errors.some((x) => x.index === index && x.section === read.sheet && x.field === field)) continue; // said already
      errors.push({ section: read.sheet, index, line, ...(id ? { id } : {}), field, reason: i.message });
    }
  };
  const lines = read.rows.map((r) => r.line);
  if (read.sheet === 'households') {
    const out: Household[] = [];
    read.rows.forEach(({ line, cells }, index) => {
      const c = cells as Partial<Record<Column<'households'>, string>>;
      const existing = c.id ? store.getHousehold(c.id) : undefined;
      const bad = (field: string, reason: string) =>
        errors.push({ section: 'households', index, line, ...(c.id ? { id: c.id } : {}), field, reason });
      const lat = degrees(c.lat, 'lat', bad);
      const lon = degrees(c.lon, 'lon', bad);
      const input = {
        id: c.id,
        grid: c.grid,
        name: c.name,
        phone: c.phone,
        lang: langValue(c.lang ?? '') ?? existing?.lang,
        location: { lat, lon },
        members: members(c.members ?? ''),
        notes: c.notes,
        pasture: existing?.pasture,
      };
      const r = householdSchema.safeParse(input);
      if (!r.success) issues(r.error, index, line, c.id);
      else out.push(r.data);
    });
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, sheet: 'households', households: out, lines };
  }
  const out: DeviceInput[] = [];
  read.rows.forEach(({ line, cells }, index) => {
    const c = cells as Partial<Record<Column<'devices'>, string>>;
    const existing = c.id ? store.getDevice(c.id) : undefined;
    const enabled = boolValue(c.enabled ?? '');
    if (typeof enabled === 'string') {
      errors.push({
        section: 'devices',
        index,
        line,
        ...(c.id ? { id: c.id } : {}),
        field: 'enabled',
        reason: `must be 是/否 (yes/no), got "${enabled}"`,
      });
      return;
    }
    const input = {
      id: c.id,
      kind: c.kind === undefined ? undefined : kindValue(c.kind),
      household: c.household,
      team: c.team,
      label: c.label,
      enabled: enabled ?? existing?.enabled ?? true,
      secret: c.secret,
    };
    const r = deviceSchema.safeParse(input);
    if (!r.success) issues(r.error, index, line, c.id);
    else out.push(r.data);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sheet: 'devices', devices: out, lines };
}

function degrees(
  v: string | undefined,
  field: string,
  bad: (field: string, reason: string) => void,
): number | undefined {
  if (v === undefined) return undefined; // the schema says "required"
  const n = Number(v.replace(/°$/, ''));
  if (!Number.isFinite(n) || v.trim() === '') {
    bad(
      `location.${field}`,
      `must be a number of degrees (e.g. ${field === 'lat' ? '42.1213' : '108.4382'}), got "${v}"`,
    );
    return undefined;
  }
  return n;
}

/** "其其格:15247801234；巴雅尔::78岁，高血压" → members. Full-width ；： as typed in Chinese are accepted. */
export function members(cell: string): { name: string; phone?: string; note?: string }[] {
  return cell
    .split(/[;；]/)
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => {
      const [name = '', phone = '', ...note] = m.split(/[:：]/);
      const out: { name: string; phone?: string; note?: string } = { name: name.trim() };
      if (phone.trim()) out.phone = phone.trim();
      if (note.join(':').trim()) out.note = note.join(':').trim();
      return out;
    });
}

/** The inverse of `members`, for writing a sheet. */
export const membersCell = (ms: { name: string; phone?: string; note?: string }[]): string =>
  ms.map((m) => [m.name, m.phone ?? '', m.note ?? ''].join(':').replace(/:+$/, '')).join(';');
