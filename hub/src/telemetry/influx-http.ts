import { AbortError, HttpError, InfluxDB } from '@influxdata/influxdb-client';

/**
 * The v1-compatible HTTP API (`/write` line protocol, `/query` InfluxQL) through the official
 * client's transport. InfluxDB 1.x, 2.x (v1 compatibility, db = bucket) and 3.x serve both.
 */
export interface InfluxHttpOptions {
  url: string;
  database: string;
  /** `Authorization: Token …`; for 1.8+ with auth use `user:password` */
  token?: string;
  /** retention policy for writes and queries (server default when absent) */
  retentionPolicy?: string;
  requestTimeoutMs: number;
}

/** One statement's answer in InfluxQL's JSON: `{ statement_id, series?, error? }`. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
export interface InfluxStatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
}

export interface InfluxHttp {
  /** POSTs line protocol with ms timestamps. Throws the client's HttpError or a network error. */
  write(lines: string, signal?: AbortSignal): Promise<void>;
  /** Runs InfluxQL statements (joined by `;`); throws InfluxQueryError if any statement failed. */
  query(statements: string | string[]): Promise<InfluxStatementResult[]>;
}

export class InfluxQueryError extends Error {
  constructor(
    message: string,
    readonly statement: string,
  ) {
    super(message);
    this.name = 'InfluxQueryError';
  }
}

export function createInfluxHttp(o: InfluxHttpOptions): InfluxHttp {
  const transport = new InfluxDB({ url: o.url, token: o.token, timeout: o.requestTimeoutMs }).transport;
  const params = (extra: Record<string, string>) => {
    const p = new URLSearchParams({ db: o.database, ...extra });
    if (o.retentionPolicy) p.set('rp', o.retentionPolicy);
    return p.toString();
  };
  const writePath = `/write?${params({ precision: 'ms' })}`;
  const queryPath = `/query?${params({ epoch: 'ms' })}`;

  return {
    async write(lines, signal) {
      const opts = {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: 64 * 1024,
      };
      await transport.request(writePath, lines, signal ? { ...opts, signal } : opts);
    },
    async query(statements) {
      const q = Array.isArray(statements) ? statements.join(';\n') : statements;
      const body = new URLSearchParams({ q }).toString();
      const res = (await transport.request(queryPath, body, {
        method: 'POST', // CREATE/DELETE need POST; the form body keeps long device lists out of the URL
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      })) as { results?: InfluxStatementResult[]; error?: string } | undefined;
      if (res?.error) throw new InfluxQueryError(`InfluxDB query failed: ${res.error}`, q);
      const results = res?.results ?? [];
      for (const r of results) {
        if (r.error) throw new InfluxQueryError(`InfluxDB statement ${r.statement_id} failed: ${r.error}`, q);
      }
      return results;
    },
  };
}

export type FailureKind =
  /** may succeed later: network, timeout, 429, 5xx; also auth/db-not-found, which an operator can fix without data loss */
  | 'retry'
  /** will never succeed: bad line protocol, field type conflict, body too large */
  | 'reject';

export interface Failure {
  kind: FailureKind;
  /** server-requested wait from Retry-After, ms */
  retryAfterMs?: number;
  /** InfluxDB 1.x reports `dropped=N` for a partial write */
  droppedLines?: number;
  /** 404 "database not found": create it before the next attempt */
  databaseMissing?: boolean;
  message: string;
}

export function classifyFailure(err: unknown, now: () => number = Date.now): Failure {
  if (err instanceof HttpError) {
    const s = err.statusCode;
    const body = err.json?.error ?? err.body ?? '';
    const message = `HTTP ${s}${body ? `: ${String(body).slice(0, 300)}` : ''}`;
    const f: Failure = { kind: 'retry', message };
    const ra =
      retryAfterMs(err.headers?.['retry-after'], now) ??
      (err.retryAfter() > 0 ? err.retryAfter() * 1000 : undefined);
    if (ra !== undefined) f.retryAfterMs = ra;
    if (s === 404 && /database not found/i.test(String(body))) f.databaseMissing = true;
    if (
      s === 400 ||
      s === 413 ||
      s === 422 ||
      (s >= 400 && s < 500 && ![401, 403, 404, 408, 429].includes(s))
    ) {
      f.kind = 'reject';
      const m = /dropped=(\d+)/.exec(String(body));
      if (m) f.droppedLines = Number(m[1]);
    }
    if (s === 501 || s === 505) f.kind = 'reject';
    return f;
  }
  if (err instanceof AbortError) return { kind: 'retry', message: 'request aborted' };
  const e = err as { code?: string; message?: string };
  return { kind: 'retry', message: [e?.code, e?.message].filter(Boolean).join(' ') || String(err) };
}

/** Retry-After is seconds or an HTTP date [RFC 9110 10.2.3]. */
export function retryAfterMs(
  header: string | string[] | undefined,
  now: () => number = Date.now,
): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/** An InfluxQL string literal. */
export const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** An InfluxQL identifier. */
export const ident = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
