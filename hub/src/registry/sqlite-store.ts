import { dutyMigrations } from '../duty/migrations.ts';
import { policyMigrations } from '../incidents/policy-store.ts';
import { type Db, migrate, otherWriterWatch } from '../state/db.ts';
import { SqliteRunner } from '../state/sqlite-run.ts';
import { registryMigrations } from './migrations.ts';
import { Registry, type RegistryOptions } from './registry.ts';
import type { RegistrySnapshot, RegistryStore, RegistryWrite } from './store-port.ts';
import {
  importStatements,
  registryQueriesFor,
  toDevice,
  toHousehold,
  toPerson,
  toTeam,
  toUnit,
} from './store-sql.ts';

/** How often the hub looks for registry commits of another connection (the CLI). */
const OTHER_WRITER_POLL_MS = 1_000;

/**
 * The registry store on the hub's SQLite database (state.db). Underneath every call is
 * synchronous: an import is one transaction (with its rosters), and `loadNow`/`importNow` let
 * the CLI and test fixtures work without awaiting. `watch` polls SQLite's data_version, which
 * moves only when another connection commits, so the hub's read model sees what the CLI wrote
 * within a second.
 */
export class SqliteRegistryStore implements RegistryStore {
  private readonly q = registryQueriesFor('sqlite');
  private readonly sql: SqliteRunner;

  constructor(
    private readonly db: Db,
    private readonly opts: { pollMs?: number } = {},
  ) {
    migrate(db, 'registry', registryMigrations);
    migrate(db, 'duty', dutyMigrations); // an import writes the registry document's rosters too
    migrate(db, 'policies', policyMigrations); // …and its escalation policies
    this.sql = new SqliteRunner(db);
  }

  loadNow(): RegistrySnapshot {
    const roles = new Map<string, Record<string, unknown>[]>();
    for (const r of this.sql.all(this.q.allRoles.bind({}))) {
      const list = roles.get(r.person as string) ?? [];
      list.push(r);
      roles.set(r.person as string, list);
    }
    return {
      units: this.sql.all(this.q.allUnits.bind({})).map(toUnit),
      households: this.sql.all(this.q.allHouseholds.bind({})).map(toHousehold),
      teams: this.sql.all(this.q.allTeams.bind({})).map(toTeam),
      devices: this.sql.all(this.q.allDevices.bind({})).map(toDevice),
      people: this.sql
        .all(this.q.allPeople.bind({}))
        .map((r) => toPerson(r, roles.get(r.id as string) ?? [])),
    };
  }
  async load(): Promise<RegistrySnapshot> {
    return this.loadNow();
  }

  importNow(w: RegistryWrite, now: number): void {
    const statements = importStatements('sqlite', w, now);
    this.sql.transaction(() => {
      for (const s of statements) this.sql.run(s);
    });
  }
  async import(w: RegistryWrite, now: number): Promise<void> {
    this.importNow(w, now);
  }

  async setDeviceSecretHash(id: string, hash: string, now: number): Promise<boolean> {
    return this.sql.run(this.q.setSecret.bind({ id, hash, now })) === 1;
  }
  async setDeviceEnabled(id: string, enabled: boolean, now: number): Promise<boolean> {
    return this.sql.run(this.q.setEnabled.bind({ id, enabled: enabled ? 1 : 0, now })) === 1;
  }
  async setPasswordHash(personId: string, hash: string, now: number): Promise<boolean> {
    return this.sql.run(this.q.setPassword.bind({ id: personId, hash, now })) === 1;
  }

  watch(fn: () => void): () => void {
    const othersWrote = otherWriterWatch(this.db);
    othersWrote(); // what the caller loaded is current
    const timer = setInterval(() => {
      if (this.db.open && othersWrote()) fn();
    }, this.opts.pollMs ?? OTHER_WRITER_POLL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** The registry read model over the SQLite store of `db`, loaded (it follows the CLI's writes until `close()`). */
export function openSqliteRegistry(db: Db, opts: RegistryOptions & { pollMs?: number } = {}): Registry {
  const { pollMs, ...rest } = opts;
  return Registry.openNow(new SqliteRegistryStore(db, pollMs === undefined ? {} : { pollMs }), rest);
}
