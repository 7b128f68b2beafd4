import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { postgresForFile } from '../../../tests/support/postgres.ts';
import { openPgState } from '../state/pg-db.ts';
import type { InboxEntry } from './inbox.ts';
import { inboxStoreContract } from './inbox-contract.ts';
import { PgInboxStore } from './pg-inbox.ts';

// One PostgreSQL server for this file, a fresh schema (migrated by open) per store.
const pg = postgresForFile();

inboxStoreContract('PostgreSQL (Debian postgresql, the PostgreSQL migrations)', async (o) => {
  const { config } = await pg.schema();
  const state = openPgState({ connection: config });
  return { store: await PgInboxStore.open(state.db, o), close: () => state.close() };
});

it('lets no commit that drew a lower seq land behind a watermark already past it (a slow hub and a fast one)', async () => {
  const { config } = await pg.schema();
  const [slowHub, fastHub] = [openPgState({ connection: config }), openPgState({ connection: config })];
  try {
    const slow = await PgInboxStore.open(slowHub.db);
    const fast = await PgInboxStore.open(fastHub.db);
    // a hub whose group commit stalls after drawing its seq (a trigger sleeps on its message)
    await sql`CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.msg_id LIKE 'stall-%' THEN PERFORM pg_sleep(0.5); END IF; RETURN NEW; END $$`.execute(
      slowHub.db,
    );
    await sql`CREATE TRIGGER stall AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION stall()`.execute(
      slowHub.db,
    );
    const e = (msgId: string): InboxEntry => ({
      sender: 'stb-150824-104-0007',
      msgId,
      kind: 'hb',
      payload: Buffer.from('{}'),
      receivedAt: 1,
      seq: -1,
    });
    const stalled = [e('stall-1')];
    const slowCommit = slow.commit(stalled, []);
    await new Promise((r) => setTimeout(r, 150)); // the slow commit has drawn its seq by now
    const quick = [e('quick-1')];
    await fast.commit(quick, []);
    // a processor runs right after the fast commit: everything up to the newest seq it sees
    const upTo = await fast.maxSeq();
    const first = (await fast.unprocessed(await fast.processedSeq(), upTo, 100)).map((r) => r.seq);
    await fast.markProcessed(upTo);
    await slowCommit;
    const then = (await fast.unprocessed(await fast.processedSeq(), await fast.maxSeq(), 100)).map(
      (r) => r.seq,
    );
    expect([...first, ...then].sort((x, y) => x - y)).toEqual([stalled[0]!.seq, quick[0]!.seq]);
    expect(stalled[0]!.seq).toBeLessThan(quick[0]!.seq);
  } finally {
    await Promise.all([slowHub.close(), fastHub.close()]);
  }
});

it('gives a message repeated within one group its seq once (the copy is a duplicate)', async () => {
  const { config } = await pg.schema();
  const state = openPgState({ connection: config });
  try {
    const inbox = await PgInboxStore.open(state.db);
    const e = (): InboxEntry => ({
      sender: 'worker/p-bater',
      msgId: '01KAWY2Z3M8Q4T7V9B0C1D2E3F',
      kind: 'ack',
      payload: Buffer.from('{}'),
      receivedAt: 1,
      seq: -1,
    });
    const group = [e(), e()];
    await inbox.commit(group, []);
    expect(group[0]!.seq).toBeGreaterThan(0);
    expect(group[1]!.seq).toBe(0);
    expect(await inbox.pendingCount(0)).toBe(1);
  } finally {
    await state.close();
  }
});
