import { join, resolve } from 'node:path';
import { hubKeys } from '../auth/server-key.ts';
import type { Registry } from '../registry/registry.ts';
import { openSqliteRegistry } from '../registry/sqlite-store.ts';
import { type Db, openDatabase } from '../state/db.ts';

/** Where a command writes: stdout gets only what a script would capture (a secret, a token). */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
};

/** `--data-dir`, else STEPPELINK_DATA_DIR, else ./data — the same rule as the hub itself. */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(flag ?? env.STEPPELINK_DATA_DIR ?? 'data');
}

export interface StateHandle {
  db: Db;
  registry: Registry;
  /** The data dir (hub.key lives there: device message keys are sealed under it). */
  dataDir: string;
  close(): void;
}

/** Opens `<dataDir>/state.db` (WAL; safe while the hub runs) with the registry migrated. */
export function openState(dataDir: string): StateHandle {
  const db = openDatabase(join(dataDir, 'state.db'));
  // new device secrets are hashed under the hub's key, as the running hub checks them
  const registry = openSqliteRegistry(db, { deviceKey: hubKeys(dataDir).device });
  return {
    db,
    registry,
    dataDir,
    close: () => {
      registry.close();
      db.close();
    },
  };
}

/** A usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {}
