/**
 * `npx steppelink-sim --hub mqtt://hub:1883 [--households 2400] [--seed 20251125]`
 * Runs the simulated league against a hub over MQTT. The hub must know the same league: start it
 * with STEPPELINK_SIM=league (imports the league of the same seed and size without running the
 * devices), or import the document this command writes with `--registry-out FILE`.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.ts';
import { startFleet } from './fleet.ts';
import { simBorder } from './geo/geography.ts';
import { generateLeague, LEAGUE_DEFAULTS } from './league.ts';

const USAGE = `usage: steppelink-sim --hub URL[,URL...] [--households N] [--seed N] [--registry-out FILE] [--no-run]`;

function fail(message: string): never {
  console.error(`steppelink-sim: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        hub: { type: 'string' },
        households: { type: 'string', default: String(LEAGUE_DEFAULTS.households) },
        seed: { type: 'string', default: String(LEAGUE_DEFAULTS.seed) },
        'registry-out': { type: 'string' },
        'no-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const households = Number(values.households);
  const seed = Number(values.seed);
  if (!Number.isInteger(households) || households < 1 || households > 200_000)
    fail('--households must be 1..200000');
  if (!Number.isInteger(seed)) fail('--seed must be an integer');
  const league = generateLeague({ households, seed });
  console.error(
    `sim: league of ${league.doc.households.length} households, ${league.devices.length} devices (seed ${seed})`,
  );
  if (typeof values['registry-out'] === 'string') {
    writeFileSync(values['registry-out'], JSON.stringify(league.doc));
    console.error(`sim: wrote the registry to ${values['registry-out']}`);
  }
  if (values['no-run']) return;
  if (typeof values.hub !== 'string') fail('--hub is required to run the fleet');
  const hubUrls = values.hub.split(',').map((s) => s.trim());
  const border = simBorder();
  const fleet = await startFleet({
    hubUrls,
    league,
    border: border.geometry.coordinates,
    log: createLogger({ name: 'steppelink-sim' }),
    onProgress: ({ connected, total }) => console.error(`sim: started ${connected}/${total} devices`),
  });
  console.error(`sim: fleet of ${fleet.size} devices running against ${hubUrls.join(', ')}`);
  const report = setInterval(() => console.error(`sim: ${JSON.stringify(fleet.stats())}`), 60_000);
  const stop = async () => {
    clearInterval(report);
    await fleet.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
