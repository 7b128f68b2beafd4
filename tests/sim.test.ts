import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStandardModules, type StandardModules, silentLogger } from '@steppelink/hub';
import {
  type Fleet,
  startFleet,
  generateLeague,
  type SimSmsGateway,
  startSimSmsGateway,
  borderLatAt,
  simBorder,
  simZones,
} from '@steppelink/hub/sim';
import { startTestHub, type TestHub } from './support/hub.ts';

/**
 * The demo league end to end: simulated devices are real edge agents over real MQTT against a
 * real hub with every module; within seconds positions, heartbeats, grazing readings and an SOS
 * incident exist where the dashboard reads them.
 */
describe('simulated league', () => {
  const league = generateLeague({
    households: 24,
    sumusPerBanner: 1,
    gachasPerSumu: 1,
    collarShare: 0.5,
    waterSensorShare: 0.3,
  });
  // the league lies along the real border line of the two banners
  const border = simBorder();
  let t: TestHub;
  let mods: StandardModules;
  let fleet: Fleet;
  let sms: SimSmsGateway;

  beforeAll(async () => {
    sms = await startSimSmsGateway(silentLogger()); // as `npm start` runs it with the sim
    mods = createStandardModules({
      incidents: { jobs: false },
      webhook: { url: sms.url },
      zones: simZones(league, border),
    });
    t = await startTestHub({ registry: league.doc, modules: mods.list });
    fleet = await startFleet({
      hubUrls: [t.mqttUrl],
      league,
      border: border.geometry.coordinates,
      log: silentLogger(),
      tickMs: 200,
      sosPerHour: 3_600_000 / 1000, // about one press a second across the league
      readingEveryTicks: 3,
      hbIntervalS: 10,
      posIntervalS: 1,
      posBatchMaxAgeS: 2,
      outagesPerHour: 0,
      powerCutsPerHour: 0,
    });
  });
  afterAll(async () => {
    await fleet?.close();
    await t?.close();
    await sms?.close();
  });

  it('brings every device online and fills the stores through the real pipeline', async () => {
    expect(fleet.size).toBe(league.devices.length);
    const until = async (cond: () => Promise<boolean> | boolean, what: string) => {
      const end = Date.now() + 60_000;
      while (!(await cond())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until(() => fleet.stats().connected === league.devices.length, 'all devices online');
    const collar = league.devices.find((d) => d.kind === 'collar-relay')!;
    const tracker = league.devices.find((d) => d.kind === 'tracker')!;
    await until(
      async () => (await t.hub.telemetry.latestPositions([tracker.id])).length === 1,
      'tracker position',
    );

    await until(
      async () => (await t.hub.telemetry.latestPositions([collar.id])).length === 1,
      'collar position',
    );
    await until(async () => (await t.hub.telemetry.latestHealth()).length > 0, 'heartbeats');
    await until(
      () => (t.hub.db.prepare(`SELECT count(*) FROM incidents`).pluck().get() as number) > 0,
      'an SOS incident',
    );
    // The simulated workers have no app: their pages go by the simulated SMS gateway at once,
    // and those in coverage are delivered (so the level waits for an ack instead of climbing).
    await until(
      () =>
        (t.hub.db
          .prepare(`SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND status = 'delivered'`)
          .pluck()
          .get() as number) > 0,
      'an SMS page delivered',
    );
    expect(sms.counts.delivered).toBeGreaterThan(0);
    const [pos] = await t.hub.telemetry.latestPositions([tracker.id]);
    // patrols drive the border track: within a few km south of the line
    expect(borderLatAt(pos!.lon) - pos!.lat).toBeLessThan(0.1);
    expect(borderLatAt(pos!.lon) - pos!.lat).toBeGreaterThan(-0.01);
    expect(fleet.stats().sos).toBeGreaterThan(0);
  });
});
