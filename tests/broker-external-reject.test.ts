import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';
import { connect, endClient, type TestHub, startTestHub, until } from './support/hub.ts';

/**
 * Issue #26, external broker mode: a message the hub refuses (a sender it does not know — the
 * broker's files lag a registry change, or a broker run without them) is acknowledged to the
 * broker only once its dead letter is committed, like every accepted message. When that write
 * fails, the message stays unacknowledged (the broker sends it again) and the hub counts it as
 * unrecorded, instead of acknowledging a record it never made.
 */
describe('external broker: refused messages are acknowledged after their dead letter', () => {
  let broker: MosquittoHandle;
  let th: TestHub;

  beforeAll(async () => {
    broker = await startMosquitto(); // anonymous: any client may publish anything, the hub must refuse
    th = await startTestHub({
      externalBroker: {
        url: broker.url,
        username: 'steppelink-hub',
        password: 'not-checked-by-this-broker',
        clientId: 'hub-reject-1',
        consumers: 1,
      },
    });
  });
  afterAll(async () => {
    await th?.close();
    await broker?.close();
  });

  const broker$ = () =>
    th.hub.health().components.broker as unknown as {
      consumed: number;
      unrecorded: number;
      inFlight: number;
    };
  const deadLetters = async () => (await th.hub.ingest.deadLetters.list({ limit: 50 })).map((d) => d.detail);

  it('records the refusal, then acknowledges; a refusal it cannot record is not acknowledged', async () => {
    const stranger = await connect(broker.url, { clientId: 'stb-nobody-0001', clean: true });
    try {
      const pos = JSON.stringify({
        v: 1,
        id: '01KAWY3A0000000000000000Z1',
        ts: Date.now(),
        lat: 41.5,
        lon: 108.5,
      });
      await stranger.publishAsync('sl/v1/stb-nobody-0001/pos', pos, { qos: 1 });
      await until(async () =>
        (await deadLetters()).some((d) => d.includes('stb-nobody-0001')) ? true : undefined,
      );
      await until(() => (broker$().inFlight === 0 ? true : undefined));
      expect(broker$().unrecorded).toBe(0);

      // the dead-letter table is gone (a broken disk, a bad migration): the next refusal cannot be recorded
      const db = new Database(join(th.dataDir, 'state.db'));
      db.exec('DROP TABLE dead_letters');
      db.close();
      const again = JSON.stringify({
        v: 1,
        id: '01KAWY3A0000000000000000Z2',
        ts: Date.now(),
        lat: 41.5,
        lon: 108.5,
      });
      await stranger.publishAsync('sl/v1/stb-nobody-0001/pos', again, { qos: 1 });
      await until(() => (broker$().unrecorded > 0 ? true : undefined));
      expect(broker$().consumed).toBeGreaterThanOrEqual(2);
    } finally {
      await endClient(stranger);
    }
  });
});
