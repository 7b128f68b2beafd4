import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitNoticeTopic } from '@steppelink/protocols';
import {
  type BroadcastModule,
  createBroadcastModule,
  createHub,
  type Hub,
  silentLogger,
} from '@steppelink/hub';
import { generateLeague } from '@steppelink/hub/sim';
import { MAX_FDS_PER_PROCESS } from './swarm.ts';
import type { SwarmDevice } from './swarm-child.ts';

/** Descriptors the hub needs besides device sockets: listeners, SQLite files, stdio, IPC. */
const HUB_FD_RESERVE = 200;
/** Boxes one hub process can hold here: 20k is the target, the open-file limit caps it a little lower. */
export const BOXES = Math.min(20_000, MAX_FDS_PER_PROCESS - HUB_FD_RESERVE);
export const BOX_SECRET = 'bench-box-secret-0001';

export interface BoxHub {
  hub: Hub;
  broadcast: BroadcastModule;
  mqttPort: number;
  boxes: SwarmDevice[];
  close(): Promise<void>;
}

/**
 * A hub holding a league of `n` households (generated like the demo), each with its set-top box;
 * every box shares one secret, imported in plain text so the hub stores it as it stores every
 * device secret: an HMAC under its hub key (microseconds per row). Boxes subscribe like the edge
 * agent: own downlink plus the notice topic of every unit in their chain.
 */
export async function startBoxHub(n = BOXES, log: (s: string) => void = () => {}): Promise<BoxHub> {
  const league = generateLeague({ households: n, collarShare: 0, waterSensorShare: 0, trackersPerSumu: 0 });
  const settops = league.devices.filter((d) => d.kind === 'settop');
  league.doc.devices = league.doc.devices
    .filter((d) => d.kind === 'settop')
    .map((d) => ({ ...d, secret: BOX_SECRET }));
  const dataDir = mkdtempSync(join(tmpdir(), 'sl-bench-boxes-'));
  const broadcast = createBroadcastModule();
  log(`importing a league of ${n} households`);
  const hub = createHub({
    dataDir,
    registry: league.doc,
    host: '127.0.0.1',
    mqttPort: 0,
    httpPort: 0,
    log: silentLogger(),
    modules: [broadcast],
  });
  const ports = await hub.start();
  return {
    hub,
    broadcast,
    mqttPort: ports.mqttPort,
    boxes: settops.map((d) => ({
      id: d.id,
      password: BOX_SECRET,
      topics: [`sl/v1/${d.id}/down/#`, ...d.units.map(unitNoticeTopic)],
    })),
    async close() {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;
export const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
