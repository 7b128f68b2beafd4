import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type InfluxdHandle, startInfluxd } from '../../../tests/support/influxd.ts';
import { runTelemetryContract } from './contract.ts';
import { DAY, grazingReadings, heartbeat, PATROL, patrolFixes, SETTOP, T0 } from './contract-data.ts';
import {
  createInfluxTelemetryStore,
  type InfluxTelemetryOptions,
  type InfluxTelemetryStore,
} from './influx.ts';

let influxd: InfluxdHandle;
let dbSeq = 0;
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'steppelink-influx-'));
const fast = { flushIntervalMs: 5, backoff: { minDelayMs: 20, maxDelayMs: 200 } };

runTelemetryContract(
  'influx',
  async ({ retentionMs }) => {
    const dir = tempDir();
    const store = createInfluxTelemetryStore({
      url: influxd.url,
      database: `contract_${process.pid}_${++dbSeq}`,
      spillPath: join(dir, 'influx-spill.db'),
      retentionMs,
      ...fast,
    });
    await store.start();
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { propertyRuns: 10 },
);
