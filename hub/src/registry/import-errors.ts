import type { z } from 'zod';
import type { RowError } from './check.ts';

/** A bad row of an import: the store's RowError plus where it sits in the file (1-based line). */
export interface ImportIssue extends RowError {
  line?: number;
}

export type ImportOutcome =
  | { ok: true; summary: Record<string, number>; warnings: string[] }
  | { ok: false; errors: ImportIssue[] };

const SECTIONS = new Set(['units', 'households', 'teams', 'devices', 'people']);

/** zod issues of a whole registry document → one ImportIssue per bad field, by section and index. */
export function documentIssues(error: z.ZodError, input: unknown): ImportIssue[] {
  return error.issues.map((i) => {
    const [section, index, ...rest] = i.path;
    if (typeof section === 'string' && SECTIONS.has(section) && typeof index === 'number') {
      const row = (input as Record<string, unknown[]>)[section]?.[index] as { id?: unknown } | undefined;
      return {
        section: section as RowError['section'],
        index,
        ...(typeof row?.id === 'string' ? { id: row.id } : {}),
        ...(rest.length > 0 ? { field: rest.map(String).join('.') } : {}),
        reason: i.message,
      };
    }
    return {
      section: 'document',
      index: 0,
      field: i.path.map(String).join('.') || undefined,
      reason: i.message,
    };
  });
}

/** "registry.json:57 devices[3] stb-150824-104-0007 household: household hh-1 does not exist" */
export function formatIssue(e: ImportIssue, file?: string): string {
  const where = file ? `${file}${e.line ? `:${e.line}` : ''}` : e.line ? `line ${e.line}` : '';
  const row = e.section === 'document' ? 'document' : `${e.section}[${e.index}]`;
  return [where, row, e.id, e.field ? `${e.field}:` : '', e.reason].filter(Boolean).join(' ');
}

/** Orders issues as they appear in the file. */
export const byLine = (a: ImportIssue, b: ImportIssue) =>
  (a.line ?? 0) - (b.line ?? 0) || a.section.localeCompare(b.section) || a.index - b.index;
