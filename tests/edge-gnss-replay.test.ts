import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createAgent,
  createMemoryOutbox,
  type EdgeAgent,
  GpsdInput,
  type InputAdapter,
  nmeaChecksum,
  nmeaInput,
} from '@steppelink/edge';
import { linkState, type ScenarioBroker, type UpstreamObserver } from '@steppelink/edge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGpsfake } from './support/gpsd.ts';
import { startHubScenarioBroker } from './support/hub-scenario-broker.ts';
import { openPty } from './support/pty.ts';

// Issue 21 defects 3 and 4: real receiver captures from the gpsd project (tests/data/gnss, with
// gpsd's own output as ground truth) replayed through both GPS paths of the agent — byte for byte
// into a real pty read by the NMEA input, and through gpsfake → gpsd → the gpsd input — to the
// real hub. What the hub stores is compared with gpsd's TPV reports: every timed fix stored once,
// at exactly its time, within 1e-6° of gpsd's position.

const GNSS = join(import.meta.dirname, 'data', 'gnss'); // gpsd's captures (tests/data/gnss/README.md)
const ERA_MS = 1024 * 7 * 86_400_000;
const DAY_MS = 86_400_000;
const TIMEOUT_MS = 120_000;

interface Truth {
  /** gpsd's timed fixes (mode 2/3) by time. */
  timed: Map<number, { lat: number; lon: number }>;
  /** Every fix gpsd reported, timed or not (it reports none before it knows the date). */
  all: { lat: number; lon: number }[];
  firstT: number;
}

/**
 * gpsd's TPV reports with a 2D/3D fix. A time after today is gpsd's own week-rollover
 * over-correction (gpsd adds 1024 weeks to any date before 2017 once it knows the leap second:
 * rst39's 2014-02-19 became 2033-10-05, neo-m8n's 2015-03-18 became 2034-11-01): a capture cannot
 * come from the future, so the real time is 1024 weeks earlier.
 */
function groundTruth(name: string): Truth {
  const timed = new Map<number, { lat: number; lon: number }>();
  const all: { lat: number; lon: number }[] = [];
  for (const line of readFileSync(join(GNSS, `${name}.chk`), 'utf8').split('\n')) {
    if (!line.includes('"class":"TPV"')) continue;
    const tpv = JSON.parse(line) as { mode: number; lat?: number; lon?: number; time?: string };
    if (tpv.mode < 2 || tpv.lat === undefined || tpv.lon === undefined) continue;
    all.push({ lat: tpv.lat, lon: tpv.lon });
    if (!tpv.time) continue;
    let t = Date.parse(tpv.time);
    if (t > Date.now()) t -= ERA_MS;
    timed.set(t, { lat: tpv.lat, lon: tpv.lon }); // gpsd may report an epoch twice: the last wins
  }
  const firstT = Math.min(...timed.keys());
  if (!Number.isFinite(firstT)) throw new Error(`${name}.chk has no timed fix`);
  return { timed, all, firstT };
}

/** Coordinates of the position sentences in a capture (an oracle independent of the agent's parser). */
function sentencePositions(name: string): { lat: number; lon: number }[] {
  const out: { lat: number; lon: number }[] = [];
  const re = /(\d{2})(\d{2}(?:\.\d+)?),([NS]),(\d{3})(\d{2}(?:\.\d+)?),([EW])/g;
  for (const m of readFileSync(join(GNSS, name), 'latin1').matchAll(re)) {
    const lat = (Number(m[1]) + Number(m[2]) / 60) * (m[3] === 'S' ? -1 : 1);
    const lon = (Number(m[4]) + Number(m[5]) / 60) * (m[6] === 'W' ? -1 : 1);
    out.push({ lat, lon });
  }
  return out;
}

const near = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
  Math.abs(a.lat - b.lat) <= 1e-6 && Math.abs(a.lon - b.lon) <= 1e-6;

const CAPTURES = readdirSync(GNSS)
  .filter((f) => f.endsWith('.log'))
  .sort();

/**
 * Through gpsd: 9 of the 20 captures, among them gpsd's own week-era over-correction (rst39: 2014
 * → 2033, neo-m8n: 2015 → 2034, put back by the agent), multi-constellation GNS receivers (hemi,
 * quectel, u-blox) and long runs (haicom, telit). Debian's gpsd 3.22 under gpsfake passes no fix on
 * within a minute for the other 11 (ac12, beidou-bd, beidou-gb, bu353-glonass, furuno, garmin48,
 * gp-320fw, magellan, meinberg, mr-350p, nmea-fuzzy-cases: gpsfake paces them far slower than its
 * cycle, or gpsd does not lock onto them), so those go through the NMEA path only.
 */
const GPSD_CAPTURES = [
  'haicom-305N.log',
  'hemi.log',
  'neo-m8n.log',
  'quectel-l76k-nmea.log',
  'rst39.log',
  'saab-r4.log',
  'telit-pls83-w.log',
  'ublox-neo-m9n-nmea.log',
  'ublox-zed-f9p-nmea.log',
];

describe('real receiver captures through the agent to the hub', () => {
  let broker: ScenarioBroker;
  let up: UpstreamObserver;
  beforeAll(async () => {
    broker = await startHubScenarioBroker();
    up = await broker.observe();
  }, TIMEOUT_MS);
  afterAll(async () => {
    await broker?.close();
  }, TIMEOUT_MS);

  /** An agent recording every fix (no sampling), its trusted clock half a year off the capture's date. */
  async function agentFor(deviceId: string, input: InputAdapter): Promise<EdgeAgent> {
    await broker.provision({ deviceId, secret: `${deviceId}-secret`, units: ['150825'] });
    const agent = createAgent({
      deviceId,
      secret: `${deviceId}-secret`,
      hubUrls: [broker.url],
      units: ['150825'],
      store: createMemoryOutbox(),
      inputs: [input],
      settings: {
        posIntervalS: 0,
        posBatchMaxFixes: 500,
        posBatchMaxAgeS: 1,
        reconnectInitialMs: 100,
        reconnectMaxMs: 1_000,
        hbIntervalS: 3_600,
      },
    });
    await agent.start();
    await linkState(agent, 'online');
    return agent;
  }

  /**
   * Waits until the hub has stored every fix the agent recorded, then compares with gpsd's.
   * `complete`: every timed fix of the .chk must be there (the NMEA path). Through gpsd, the
   * installed gpsd (Debian's) decides which epochs it reports, and may differ from the one that
   * wrote the .chk: there every stored fix must agree with the .chk, not the other way round.
   */
  async function compare(name: string, deviceId: string, agent: EdgeAgent, truth: Truth, complete: boolean) {
    const recorded = agent.stats().inputs.fixesRecorded;
    let stored: { t: number; lat: number; lon: number }[] = [];
    await up.waitFor(() => {
      void up.storedPositions?.(deviceId).then((s) => {
        stored = s;
      });
      return stored.length >= recorded && recorded > 0;
    }, `${name}: the hub to store the ${recorded} fixes recorded`);
    await agent.close();
    stored = (await up.storedPositions?.(deviceId)) ?? [];
    const byT = new Map(stored.map((f) => [f.t, f]));
    expect(byT.size, `${name}: each fix stored once`).toBe(stored.length);
    for (const [t, want] of truth.timed) {
      const got = byT.get(t);
      if (!complete && !got) continue;
      expect(
        got,
        `${name}: gpsd's fix at ${new Date(t).toISOString()} stored at exactly that time`,
      ).toBeDefined();
      if (got)
        expect(near(got, want), `${name}: ${JSON.stringify(got)} vs gpsd ${JSON.stringify(want)}`).toBe(true);
    }
    // Fixes gpsd reported without a time (before it knew the date), or not at all (the epoch that
    // ends a capture, which gpsd reports only when the next one starts): each is a real position
    // sentence of the capture, and there are few of the latter.
    const sentences = sentencePositions(name);
    const unreported = stored.filter((f) => !truth.timed.has(f.t) && !truth.all.some((g) => near(g, f)));
    for (const f of stored.filter((x) => !truth.timed.has(x.t)))
      expect(
        sentences.some((s) => near(s, f)),
        `${name}: ${JSON.stringify(f)} is in the capture`,
      ).toBe(true);
    expect(
      unreported.length,
      `${name}: fixes gpsd never reported ${JSON.stringify(unreported)}`,
    ).toBeLessThanOrEqual(2);
    return stored;
  }

  it.each(CAPTURES.map((c, i) => [c, i] as const))(
    'NMEA byte for byte through a pty: %s',
    async (name, i) => {
      const truth = groundTruth(name);
      const pty = await openPty();
      const trusted = truth.firstT + 180 * DAY_MS;
      const input = nmeaInput({
        path: pty.path,
        clock: { now: () => Date.now() },
        timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) },
        trustedNow: () => trusted,
      });
      const dev = `trk-nmea${i}-150825-01`;
      const agent = await agentFor(dev, input);
      try {
        // The trailer: a GGA starting a new epoch without a fix (the capture's last epoch is
        // complete), then a proprietary sentence that says the agent has read everything.
        const end = 'GPGGA,235959.99,,,,,0,00,,,M,,M,,';
        await pty.send(join(GNSS, name), [
          `$${end}*${nmeaChecksum(end)}`,
          `$PSLEND*${nmeaChecksum('PSLEND')}`,
        ]);
        await up.waitFor(() => (input.health().proprietary?.SLE ?? 0) > 0, `${name}: the whole capture read`);
        const stored = await compare(name, dev, agent, truth, true);
        expect(stored.length).toBeGreaterThanOrEqual(truth.timed.size);
      } finally {
        await agent.close();
        await pty.close();
      }
    },
    TIMEOUT_MS,
  );

  it.each(GPSD_CAPTURES.map((c, i) => [c, i] as const))(
    'through gpsfake and a real gpsd: %s',
    async (name, i) => {
      const truth = groundTruth(name);
      const trusted = truth.firstT + 180 * DAY_MS;
      const dev = `trk-gpsd${i}-150825-01`;
      const lastT = Math.max(...truth.timed.keys());
      // gpsd under gpsfake once passed nothing at all on a loaded CI machine (connected, watching,
      // no TPV in a minute, gpsfake still running): gpsd's stall, not the agent's. A run in which
      // gpsd reports nothing within 40 s is tried once more on a fresh gpsfake and gpsd.
      for (let attempt = 1; ; attempt++) {
        const gps = await startGpsfake({ log: join(GNSS, name), cycleS: 0.01 });
        const input = new GpsdInput({
          host: gps.host,
          port: gps.port,
          clock: { now: () => Date.now() },
          timers: {
            setTimeout: (fn, ms) => setTimeout(fn, ms),
            clearTimeout: (h) => clearTimeout(h as never),
          },
          trustedNow: () => trusted,
          reconnectInitialMs: 60_000,
        });
        const agent = await agentFor(dev, input);
        try {
          try {
            await up.waitFor(
              () => input.health().tpv > 0 || input.health().outages > 0,
              `${name}: gpsd's first report (${JSON.stringify(input.health())})`,
              attempt === 1 ? 40_000 : 60_000,
            );
          } catch (e) {
            if (attempt === 1 && input.health().tpv === 0) continue; // nothing passed on: a fresh gpsd
            throw e;
          }
          // Until gpsd has passed on the capture's last timed fix (or gpsfake stopped, taking gpsd along).
          await up.waitFor(
            () => (agent.stats().inputs.lastFix?.t ?? 0) >= lastT || input.health().outages > 0,
            `${name}: gpsd to report the capture's last fix (${JSON.stringify(input.health())})`,
          );
          await compare(name, dev, agent, truth, false);
          return;
        } finally {
          await agent.close();
          await gps.stop();
        }
      }
    },
    2 * TIMEOUT_MS,
  );
});
