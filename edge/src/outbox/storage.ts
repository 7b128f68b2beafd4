/**
 * Storage health of an outbox: what a write error means, and what the outbox admits while the
 * disk is full or failing. Pure decisions; the SQLite adapter does the I/O.
 */

/** `ok`; `full` (no space: SQLITE_FULL, ENOSPC); `failing` (I/O errors, read-only, damaged file). */
export type StorageState = 'ok' | 'full' | 'failing';

export interface StorageStatus {
  state: StorageState;
  /** Since when (epoch ms) the state has held; absent while ok since open. */
  since?: number;
  /** The last storage error, as SQLite or the OS said it. */
  lastError?: string;
  /** Telemetry writes refused (or failed) for lack of storage since the store was opened. */
  refused: number;
  /**
   * The reserved room for SOS and receipts (a file of zeros next to the database, given back to
   * the filesystem when an SOS cannot otherwise be written): `held`, `released`, or `none`.
   */
  reserve: 'held' | 'released' | 'none';
}

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const FAILING = /^(SQLITE_IOERR|SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_CORRUPT|SQLITE_NOTADB|EIO|EROFS)/;

/** Whether an error is the storage failing (as opposed to a bug or a bad argument), and how. */
export function storageFault(error: unknown): Exclude<StorageState, 'ok'> | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (FULL.has(code)) return 'full';
  return FAILING.test(code) ? 'failing' : undefined;
}

/** Thrown (not a storage fault itself) when telemetry is refused because the storage is degraded. */
export class StorageRefusedError extends Error {
  readonly code = 'STORAGE_REFUSED';
}

/**
 * Who may write while the storage is degraded: SOS and receipts always (they may use the reserved
 * room), heartbeats try (they carry the storage state to the hub), telemetry is refused until the
 * reserve is back — so the disk's last space goes to what must not be lost.
 */
export function admits(state: StorageState, kind: 'urgent' | 'hb' | 'telemetry'): boolean {
  return state === 'ok' || kind !== 'telemetry';
}

export const okStatus = (): StorageStatus => ({ state: 'ok', refused: 0, reserve: 'none' });
