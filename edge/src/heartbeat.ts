import type { MessageInputOf, PowerSource } from '@steppelink/protocols';
import { AGENT_VERSION } from './defaults.ts';

export interface HeartbeatInput {
  id: string;
  ts: number;
  uptimeMs: number;
  power: { source: PowerSource; battery?: number };
  outbox: number;
  evicted: number;
  clockOffsetMs?: number;
  /** Outbox storage state and telemetry refused for lack of it (sent while not ok, or once refused). */
  storage?: 'ok' | 'full' | 'failing';
  refused?: number;
  rssi?: number;
  fw?: string;
}

/** The `hb` message: agent version, uptime, power, outbox depth, evictions, clock offset, storage. */
export function heartbeatMessage(h: HeartbeatInput): MessageInputOf<'hb'> & { id: string } {
  return {
    v: 1,
    id: h.id,
    ts: h.ts,
    agent: AGENT_VERSION,
    ...(h.fw ? { fw: h.fw } : {}),
    uptimeS: Math.max(0, Math.floor(h.uptimeMs / 1000)),
    power: h.power.source,
    ...(h.power.battery !== undefined ? { battery: h.power.battery } : {}),
    ...(h.rssi !== undefined ? { rssi: h.rssi } : {}),
    outbox: h.outbox,
    evicted: h.evicted,
    ...(h.clockOffsetMs !== undefined ? { clockOffsetMs: h.clockOffsetMs } : {}),
    ...(h.storage !== undefined ? { storage: h.storage } : {}),
    ...(h.refused !== undefined ? { refused: h.refused } : {}),
  };
}
