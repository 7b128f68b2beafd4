import { parse } from 'csv-parse/sync';
import type { ImportIssue } from './import-errors.ts';
import { type Column, columnOf, detectSheet, REQUIRED, SHEETS, type Sheet } from './csv-columns.ts';

/** One data row of a sheet: its cells by column, and the line of the file where it starts. */
export interface SheetRow<S extends Sheet> {
  line: number;
  cells: Partial<Record<Column<S>, string>>;
}

export type SheetParse<S extends Sheet> =
  | { ok: true; sheet: S; rows: SheetRow<S>[] }
  | { ok: false; errors: ImportIssue[] };

const sectionOf = (sheet: Sheet) => sheet;

/**
 * Reads a CSV sheet as grid offices keep it (UTF-8, with or without BOM, CRLF or LF, quoted
 * cells may span lines). Every structural problem is reported with its line: unknown or
 * missing columns (line 1), rows with more or fewer cells than the header, broken quoting.
 */
export function readSheet<S extends Sheet>(text: string, sheet?: S): SheetParse<S> {
  let records: { record: string[]; info: { lines: number; bytes: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    const s = sheet ?? 'households';
    return {
      ok: false,
      errors: [
        {
          section: sectionOf(s),
          index: 0,
          line: err.lines,
          reason: `not readable as CSV: ${err.message ?? e}`,
        },
      ],
    };
  }
  const [head, ...body] = records;
  if (!head)
    return {
      ok: false,
      errors: [
        {
          section: sectionOf(sheet ?? 'households'),
          index: 0,
          line: 1,
          reason: 'the file is empty; it needs a header row',
        },
      ],
    };
  const headers = head.record.map((h) => h.trim());
  const s = (sheet ?? detectSheet(headers)) as S | undefined;
  if (!s) {
    return {
      ok: false,
      errors: [
        {
          section: 'document',
          index: 0,
          line: 1,
          reason:
            'cannot tell the sheet from its header: a households sheet has a 网格 grid column, a devices sheet a 类型 kind column',
        },
      ],
    };
  }
  const errors: ImportIssue[] = [];
  const columns = headers.map((h) => columnOf(s, h));
  headers.forEach((h, i) => {
    if (h === '' && body.every((r) => (r.record[i] ?? '').trim() === '')) return; // trailing empty column
    if (columns[i] === undefined) {
      errors.push({
        section: s,
        index: 0,
        line: 1,
        field: h,
        reason: `unknown column "${h}"; a ${s} sheet has ${knownHeaders(s)}`,
      });
    } else if (columns.indexOf(columns[i]) !== i) {
      errors.push({ section: s, index: 0, line: 1, field: h, reason: `column ${columns[i]} appears twice` });
    }
  });
  for (const col of REQUIRED[s] as Column<S>[]) {
    if (!columns.includes(col)) {
      errors.push({
        section: s,
        index: 0,
        line: 1,
        field: col,
        reason: `missing column ${headerOf(s, col)}`,
      });
    }
  }
  const rows: SheetRow<S>[] = [];
  const lineAt = lineFinder(text);
  body.forEach((r, index) => {
    const line = lineAt(records[index]!.info.bytes); // a row starts where the one before it ended
    if (r.record.length > headers.length && r.record.slice(headers.length).some((v) => v.trim() !== '')) {
      errors.push({
        section: s,
        index,
        line,
        reason: `has ${r.record.length} cells but the header has ${headers.length}; quote cells that contain commas`,
      });
      return;
    }
    const cells: Partial<Record<Column<S>, string>> = {};
    columns.forEach((col, i) => {
      const v = r.record[i]?.trim() ?? '';
      if (col && v !== '') cells[col] = v;
    });
    rows.push({ line, cells });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sheet: s, rows };
}

/**
 * Line numbers from byte offsets: csv-parse's own line count is off for CRLF files with line
 * breaks inside quoted cells, but the byte offset where each record ends is exact.
 */
function lineFinder(text: string): (offset: number) => number {
  const buf = Buffer.from(text, 'utf8');
  return (offset) => {
    let at = offset;
    while (buf[at] === 0x0d || buf[at] === 0x0a) at++; // blank lines before the row
    let line = 1;
    for (let i = 0; i < at && i < buf.length; i++) if (buf[i] === 0x0a) line++;
    return line;
  };
}

const headerOf = (s: Sheet, col: string) =>
  `${(SHEETS[s] as Record<string, readonly string[]>)[col]?.[0] ?? col}/${col}`;

const knownHeaders = (s: Sheet) =>
  Object.entries(SHEETS[s])
    .map(([col, names]) => `${names[0]}/${col}`)
    .join(', ');

/** Writes rows as CSV (RFC 4180 quoting, CRLF, UTF-8 BOM so spreadsheet programs read Chinese right). */
export function toCsv(header: string[], rows: (string | number | undefined | null)[][]): string {
  const cell = (v: string | number | undefined | null) => {
    const s = v === undefined || v === null ? '' : String(v);
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
