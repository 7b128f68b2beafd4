import { sosSchema } from '@steppelink/protocols';
import { createIncidentsModule } from './module.ts';
import { testContext } from './testing.ts';
import { SMALL_LEAGUE } from '../registry/fixture.ts';
const boxes = Array.from({ length: 600 }, (_, i) => `stb-prof-${i}`);
const doc = {
  ...SMALL_LEAGUE,
  households: [
    ...SMALL_LEAGUE.households,
    ...boxes.map((id, i) => ({
      id: `hh-${id}`,
      grid: '150824-104-007-03',
      name: `牧户${i}`,
      lang: 'mn' as const,
      location: { lat: 42.1, lon: 108.4 },
      members: [],
    })),
  ],
  devices: [
    ...SMALL_LEAGUE.devices,
    ...boxes.map((id) => ({ id, kind: 'settop' as const, household: `hh-${id}`, enabled: true })),
  ],
};
const tc = testContext({ doc });
const mod = createIncidentsModule({ jobs: false });
await mod.start(tc.ctx);
const times: number[] = [];
for (let i = 0; i < boxes.length; i++) {
  const m = {
    seq: i,
    deviceId: boxes[i]!,
    kind: 'sos' as const,
    msg: sosSchema.parse({ v: 1, id: `p-${i}`, ts: Date.now(), action: 'raise' }),
    receivedAt: Date.now(),
  };
  const t = performance.now();
  await mod.handlers!.sos!(m);
  times.push(performance.now() - t);
  await mod.idle();
}
times.sort((a, b) => a - b);
console.log(
  'handler p50',
  times[300],
  'p99',
  times[594],
  'mean',
  times.reduce((a, b) => a + b) / times.length,
);
await mod.close();
tc.close();
