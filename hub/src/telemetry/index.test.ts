import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATROL, patrolFixes, T0 } from './contract-data.ts';
import { createTelemetryStore, type TelemetryStoreOptions } from './index.ts';

describe('createTelemetryStore', () => {
  it('builds the embedded SQLite store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steppelink-telemetry-'));
    const store = createTelemetryStore({
      adapter: 'sqlite',
      path: join(dir, 'telemetry.db'),
      retentionMs: undefined,
    });
    await store.start();
    await store.write({ positions: patrolFixes(2) });
    expect(await store.latestPositions([PATROL])).toEqual([patrolFixes(2)[1]]);
    expect(store.health()).toMatchObject({ adapter: 'sqlite', state: 'up', written: 2 });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the InfluxDB store; with nobody listening it starts degraded and spills', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steppelink-telemetry-'));
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const store = createTelemetryStore({
      adapter: 'influx',
      url: `http://127.0.0.1:${port}`,
      spillPath: join(dir, 'influx-spill.db'),
      inlineRetries: 0,
    });
    await store.start();
    expect(store.health()).toMatchObject({ adapter: 'influx', state: 'degraded' });
    await store.write({ positions: patrolFixes(3, { t0: T0 }) });
    expect(store.health()).toMatchObject({ state: 'degraded', spilled: 3, dropped: 0 });
    expect(await store.close()).toEqual({ unwritten: 3, spilled: 3, lost: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains a misconfiguration', () => {
    expect(() => createTelemetryStore({ adapter: 'mongo' } as unknown as TelemetryStoreOptions)).toThrow(
      /pass adapter 'sqlite' \(with path\) or 'influx'/,
    );
    expect(() =>
      createTelemetryStore({ adapter: 'influx', url: 'http://127.0.0.1:8086' } as TelemetryStoreOptions),
    ).toThrow(/pass `spillPath`/);
  });
});
