import { dutyPgMigrations } from '../duty/pg-migrations.ts';
import { policyPgMigrations } from '../incidents/policy-rows.ts';
import { type PgDb, PgRunner, pgMigrate } from '../state/pg-db.ts';
import { registryPgMigrations } from './pg-migrations.ts';
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

/**
 * The registry store on PostgreSQL (issue #26): the SQLite adapter's queries and row mappers
 * (store-sql.ts, compiled for PostgreSQL), run on a node-postgres pool through Kysely
 * (state/pg-db.ts). An import is one transaction with its rosters. `load()` reads every table in
 * one REPEATABLE READ transaction, so a snapshot never mixes two imports. `watch` (other hubs'
 * writes) is not offered yet: LISTEN/NOTIFY is planned with the multi-hub coordination.
 */
export class PgRegistryStore implements RegistryStore {
  private readonly q = registryQueriesFor('postgres');
  private readonly sql: PgRunner;

  private constructor(private readonly db: PgDb) {
    this.sql = new PgRunner(db);
  }

  /** The store, with the registry and duty tables migrated (an import writes rosters too). */
  static async open(db: PgDb): Promise<PgRegistryStore> {
    await pgMigrate(db, 'registry', registryPgMigrations);
    await pgMigrate(db, 'duty', dutyPgMigrations);
    await pgMigrate(db, 'policies', policyPgMigrations);
    return new PgRegistryStore(db);
  }

  async load(): Promise<RegistrySnapshot> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (tx) => {
        const sql = new PgRunner(tx);
        const roles = new Map<string, Record<string, unknown>[]>();
        for (const r of await sql.all(this.q.allRoles.bind({}))) {
          const list = roles.get(r.person as string) ?? [];
          list.push(r);
          roles.set(r.person as string, list);
        }
        return {
          units: (await sql.all(this.q.allUnits.bind({}))).map(toUnit),
          households: (await sql.all(this.q.allHouseholds.bind({}))).map(toHousehold),
          teams: (await sql.all(this.q.allTeams.bind({}))).map(toTeam),
          devices: (await sql.all(this.q.allDevices.bind({}))).map(toDevice),
          people: (await sql.all(this.q.allPeople.bind({}))).map((r) =>
            toPerson(r, roles.get(r.id as string) ?? []),
          ),
        };
      });
  }

  async import(w: RegistryWrite, now: number): Promise<void> {
    const statements = importStatements('postgres', w, now);
    await this.sql.transaction(async (tx) => {
      for (const s of statements) await tx.run(s);
    });
  }

  async setDeviceSecretHash(id: string, hash: string, now: number): Promise<boolean> {
    return (await this.sql.run(this.q.setSecret.bind({ id, hash, now }))) === 1;
  }
  async setDeviceEnabled(id: string, enabled: boolean, now: number): Promise<boolean> {
    return (await this.sql.run(this.q.setEnabled.bind({ id, enabled: enabled ? 1 : 0, now }))) === 1;
  }
  async setPasswordHash(personId: string, hash: string, now: number): Promise<boolean> {
    return (await this.sql.run(this.q.setPassword.bind({ id: personId, hash, now }))) === 1;
  }
}
