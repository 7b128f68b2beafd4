import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Sheet } from './csv-columns.ts';
import { sheetDocument } from './csv-import.ts';
import { byLine, documentIssues, type ImportIssue, type ImportOutcome } from './import-errors.ts';
import { jsonRowLines } from './json-lines.ts';
import { type RegistryDocument, registryDocumentSchema } from './schema.ts';
import type { Registry } from './registry.ts';

export type ImportFormat = { type: 'json' } | { type: 'csv'; sheet?: Sheet };

/** A parsed import: the document to give the store, and where each of its rows is in the file. */
export type ParsedImport =
  | { ok: true; doc: RegistryDocument; lineOf: (section: string, index: number) => number | undefined }
  | { ok: false; errors: ImportIssue[] };

/** Parses and schema-checks an import without touching the store (the CSV path reads it to keep what sheets lack). */
export function parseImport(text: string, format: ImportFormat, store: Registry): ParsedImport {
  if (format.type === 'csv') {
    const sheet = sheetDocument(text, store, format.sheet);
    if (!sheet.ok) return { ok: false, errors: sheet.errors.sort(byLine) };
    const doc = registryDocumentSchema.parse(
      sheet.sheet === 'households' ? { households: sheet.households } : { devices: sheet.devices },
    );
    return { ok: true, doc, lineOf: (_s, i) => sheet.lines[i] };
  }
  let input: unknown;
  try {
    input = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return {
      ok: false,
      errors: [{ section: 'document', index: 0, reason: `not valid JSON: ${(e as Error).message}` }],
    };
  }
  const lines = jsonRowLines(text);
  const lineOf = (section: string, index: number) => lines.get(`${section}:${index}`);
  const r = registryDocumentSchema.safeParse(input);
  if (!r.success) {
    const errors = documentIssues(r.error, input).map((e) => withLine(e, lineOf));
    return { ok: false, errors: errors.sort(byLine) };
  }
  return { ok: true, doc: r.data, lineOf };
}

const withLine = (e: ImportIssue, lineOf: (s: string, i: number) => number | undefined): ImportIssue => {
  const line = e.line ?? (e.section === 'document' ? undefined : lineOf(e.section, e.index));
  return line === undefined ? e : { ...e, line };
};

/**
 * Imports a parsed document — the one path of the CLI, the API and start-up: every section,
 * rosters included, is checked first and, on any error, nothing is written; errors carry the
 * line of their row. `warnings` tell what still needs doing (devices without a secret can't
 * connect).
 */
export async function applyImport(
  store: Registry,
  parsed: ParsedImport,
  now?: number,
): Promise<ImportOutcome> {
  if (!parsed.ok) return parsed;
  const r = await store.importDocument(parsed.doc, now);
  if (!r.ok) return { ok: false, errors: r.errors.map((e) => withLine(e, parsed.lineOf)).sort(byLine) };
  const noSecret = parsed.doc.devices.filter((d) => !store.getDevice(d.id)?.secretHash).map((d) => d.id);
  const warnings =
    noSecret.length === 0
      ? []
      : [
          `${noSecret.length} device(s) have no secret yet and cannot connect until one is set (steppelink-hub device secret ID): ${noSecret.slice(0, 10).join(', ')}${noSecret.length > 10 ? ', …' : ''}`,
        ];
  return { ok: true, summary: { ...r.summary }, warnings };
}

export function importText(
  store: Registry,
  text: string,
  format: ImportFormat,
  now?: number,
): Promise<ImportOutcome> {
  return applyImport(store, parseImport(text, format, store), now);
}

/** Format by extension: `.json`, `.csv` (sheet from the header unless given). */
export function formatOfFile(path: string, sheet?: Sheet): ImportFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return { type: 'json' };
  if (ext === '.csv' || ext === '.txt') return sheet ? { type: 'csv', sheet } : { type: 'csv' };
  return undefined;
}

/** Reads and imports a registry file (JSON document or CSV sheet): the CLI, `STEPPELINK_REGISTRY` and `createHub({ registryFile })`. */
export async function importFile(
  store: Registry,
  path: string,
  opts: { sheet?: Sheet; now?: number } = {},
): Promise<ImportOutcome> {
  const format = formatOfFile(path, opts.sheet);
  if (!format) {
    return {
      ok: false,
      errors: [
        { section: 'document', index: 0, reason: `cannot tell the format of ${path}: name it .json or .csv` },
      ],
    };
  }
  return importText(store, readFileSync(path, 'utf8'), format, opts.now);
}

/** "3 units, 12 households, 1 rotations" — the sections an import wrote rows of. */
export function describeSummary(summary: Record<string, number>): string {
  const parts = Object.entries(summary).filter(([, n]) => n > 0);
  return parts.map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
}
