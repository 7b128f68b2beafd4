import type { LadderTimings } from './short-message/ladder.ts';
import type { ShortTransport } from './short-message/port.ts';
import type { PowerSource, UpKind } from '@steppelink/protocols';
import type { Clock, Timers } from './clock.ts';
import type { InputAdapter } from './inputs/port.ts';
import type { SinkCounters } from './inputs/sink.ts';
import type { ConnectionFactory } from './link/port.ts';
import type { LinkState } from './link/supervisor.ts';
import type { Logger } from './logger.ts';
import type { ReceiveOutcome } from './notices.ts';
import type { OutboxStats, OutboxStore } from './outbox/port.ts';
import type { StorageStatus } from './outbox/storage.ts';
import type { AgentSettings, RuntimeSettings } from './settings.ts';
import type { SosStatus } from './sos.ts';

export type AgentState = 'idle' | 'starting' | 'running' | 'closing' | 'closed';

export interface AgentEvents extends Record<string, unknown> {
  state: AgentState;
  link: { state: LinkState; url: string };
  /** A message was written to the outbox. */
  accepted: { kind: UpKind; msgId: string; evicted: number };
  /** An input item was staged durably for a batch. */
  staged: { stream: string; item: string };
  /** The broker acknowledged a message; it leaves the outbox. */
  acked: { kind: UpKind; msgId: string; seq: number };
  evicted: { count: number; total: number };
  sos: SosStatus;
  notice: { noticeId: string; outcome: ReceiveOutcome };
  /** A responder's text arrived during the SOS (shown on the TV page; read receipt when seen). */
  sosMsg: { messageId: string; incidentId: string };
  config: RuntimeSettings;
  rejected: { source: string; reason: string };
  /** The outbox storage became full or failing, or recovered. */
  storage: StorageStatus;
}

export interface AgentOptions {
  deviceId: string;
  secret: string;
  /** Hub URLs in failover order, e.g. `mqtt://hub.bayannur.example:1883`. */
  hubUrls: readonly string[];
  /** Administrative units whose notices this device receives (league → banner → sumu → gacha → grid). */
  units?: readonly string[];
  store: OutboxStore;
  settings?: Partial<AgentSettings>;
  inputs?: readonly InputAdapter[];
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  connect?: ConnectionFactory;
  logger?: Logger;
  power?: () => { source: PowerSource; battery?: number };
  rssi?: () => number | undefined;
  fw?: string;
  /**
   * SOS over SMS and BeiDou when MQTT cannot get through: the paths in ladder order (a GSM modem,
   * a BeiDou terminal) and, for tests, the ladder's timings (see LADDER_DEFAULTS).
   */
  shortMessage?: { transports: readonly ShortTransport[]; timings?: Partial<LadderTimings> };
}

export interface AgentStats {
  state: AgentState;
  link: LinkState;
  url: string;
  outbox: OutboxStats;
  /** Outbox disk health: full or failing storage, refused telemetry, the reserved room. */
  storage: StorageStatus;
  inflight: number;
  sent: number;
  acked: number;
  clockOffsetMs: number | undefined;
  inputs: SinkCounters;
  /** Per input with something to report: receiver sentences, gpsd connection state. */
  receivers: Record<string, object>;
  rejectedDownlink: number;
  batchDropped: number;
  /** The SOS's SMS and BeiDou paths, when configured: state and counters of each. */
  shortMessage?: Record<string, unknown>[];
}

export interface CloseReport {
  /** Messages still in the outbox (they go out after the next start). */
  unsent: number;
  /** Input items staged but not yet batched (sealed after the next start). */
  staged: number;
  /** Telemetry evicted since start. */
  evicted: number;
}
