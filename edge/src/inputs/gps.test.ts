import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fix } from '@steppelink/protocols';
import { afterAll, describe, expect, it } from 'vitest';
import { type GpsfakeHandle, startGpsfake } from '../../../tests/support/gpsd.ts';
import type { Logger } from '../logger.ts';
import { systemClock, systemTimers } from '../clock.ts';
import type { SosResult } from '../sos.ts';
import { patrolNmeaLog } from '../testing/nmea-log.ts';
import { GpsdInput } from './gpsd.ts';
import { nmeaInput } from './nmea-input.ts';
import type { InputSink } from './port.ts';

const dir = mkdtempSync(join(tmpdir(), 'sl-gps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  const fixes: (Fix & { src: string })[] = [];
  const gpsTimes: number[] = [];
  const rejects: string[] = [];
  const res = { ok: true } as SosResult;
  const s: InputSink = {
    sosPress: () => res,
    sosCancel: () => res,
    sosConfirmCancel: () => res,
    sosReply: () => ({ ok: false, code: 'no-sos', message: 'not in this test' }),
    fix: (f, m) => {
      fixes.push({ ...f, src: m.src });
    },
    gpsTime: (t) => {
      gpsTimes.push(t);
    },
    reading: () => {},
    reject: (_s, r) => {
      rejects.push(r);
    },
  };
  return { s, fixes, gpsTimes, rejects };
}

const until = (cond: () => boolean, guardMs = 30_000) =>
  new Promise<void>((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - start > guardMs) {
        clearInterval(t);
        reject(new Error('condition not met before the guard'));
      }
    }, 10);
  });

// Border patrol along lat 42.4, lon 106.8 → 107.2 (Urad Rear Banner).
const START = Date.UTC(2025, 10, 25, 1, 0, 0);
const log = patrolNmeaLog({
  startMs: START,
  fixes: 120,
  from: { lat: 42.4, lon: 106.8 },
  to: { lat: 42.4, lon: 107.2 },
});

describe('NMEA file/serial input', () => {
  it('turns every RMC of the log into a fix with GPS time', async () => {
    const path = join(dir, 'patrol.nmea');
    writeFileSync(path, `noise before the first sentence\r\n${log.text}`);
    const { s, fixes, gpsTimes } = sink();
    // A plain file is read once: no reopenAfterMs needed, and it is not sent again every 5 s (#21).
    const input = nmeaInput({ path, clock: systemClock, timers: systemTimers });
    await input.start(s);
    await input.whenEnded();
    await input.close();
    expect(fixes).toHaveLength(120);
    expect(fixes[0]).toMatchObject({ t: START, src: 'nmea', alt: 1321.5, hdop: 0.9 });
    expect(gpsTimes[119]).toBe(START + 119_000);
  });
});

describe('gpsd input', () => {
  it('reads fixes from a real gpsd fed by gpsfake', async () => {
    const path = join(dir, 'patrol-gpsd.nmea');
    writeFileSync(path, log.text);
    let gps: GpsfakeHandle | undefined;
    try {
      gps = await startGpsfake({ log: path, cycleS: 0.02 });
      const { s, fixes } = sink();
      const real = new GpsdInput({
        host: gps.host,
        port: gps.port,
        clock: systemClock,
        timers: systemTimers,
      });
      real.start(s);
      await until(() => fixes.length >= 40);
      await real.close();
      const byT = new Map(log.fixes.map((f) => [f.t, f]));
      for (const f of fixes) {
        const want = byT.get(f.t);
        expect(want, `fix at ${new Date(f.t).toISOString()} is in the log`).toBeDefined();
        expect(f.lat).toBeCloseTo(want?.lat ?? 0, 6);
        expect(f.lon).toBeCloseTo(want?.lon ?? 0, 6);
        expect(f.src).toBe('gpsd');
      }
      expect(fixes.at(-1)?.speed).toBeGreaterThan(5);
    } finally {
      await gps?.stop();
    }
  });

  it('ignores junk from a gpsd-like peer and reconnects after the peer drops', async () => {
    const conns: import('node:net').Socket[] = [];
    const server = createServer((c) => {
      conns.push(c);
      c.once('data', () => {
        if (conns.length === 1) {
          c.end('{"class":"VERSION"}\nnot json\n{"class":"TPV","mode":1}\n');
        } else {
          c.write(
            '{"class":"SKY","hdop":1.4}\n{"class":"TPV","mode":3,"time":"2025-11-25T01:00:00.000Z","lat":42.41,"lon":106.87,"altMSL":1320.1,"speed":11.1,"track":85}\n',
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { s, fixes } = sink();
    const input = new GpsdInput({
      host: '127.0.0.1',
      port,
      clock: systemClock,
      timers: systemTimers,
      reconnectInitialMs: 20,
    });
    input.start(s);
    await until(() => fixes.length === 1);
    expect(fixes[0]).toMatchObject({ t: START, lat: 42.41, alt: 1320.1, hdop: 1.4, course: 85 });
    expect(input.counts.bad).toBe(1);
    expect(input.health()).toMatchObject({ state: 'watching', outages: 1 });
    await input.close();
    for (const c of conns) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('logs a gpsd outage once and its end, and shows it in health()', async () => {
    const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
    const record = (msg: string, fields?: Record<string, unknown>) => {
      logged.push({ msg, ...(fields ? { fields } : {}) });
    };
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const { s } = sink();
    const input = new GpsdInput({
      host: '127.0.0.1',
      port,
      clock: systemClock,
      timers: systemTimers,
      reconnectInitialMs: 20,
      reconnectMaxMs: 40,
      logger,
    });
    input.start(s); // gpsd is not running yet
    await until(() => logged.length > 0 && input.health().state === 'backoff');
    await new Promise((r) => setTimeout(r, 200)); // several retries
    expect(logged.filter((l) => l.msg === 'gpsd.lost')).toHaveLength(1);
    expect(input.health()).toMatchObject({ outages: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(input.health().downSince).toBeGreaterThan(0);
    const server = createServer((c) => c.on('data', () => {}));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await until(() => logged.some((l) => l.msg === 'gpsd.back'));
    expect(input.health().state).toBe('watching');
    expect(input.health().downSince).toBeUndefined();
    await input.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
