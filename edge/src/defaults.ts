/**
 * One defaults object for the edge agent. Units are in the names; each value says why it is what it is.
 * The config file (config.ts) and createAgent options override these.
 */
export const EDGE_DEFAULTS = {
  /** Heartbeat period; the hub marks a device offline after a few missed beats. */
  hbIntervalS: 300,
  /** A GPS fix is recorded at most this often (by fix time); gpsd reports about once a second. */
  posIntervalS: 10,
  /** A position batch is sealed into a `pos` message at this many fixes (protocol max 500). */
  posBatchMaxFixes: 60,
  /** ...or when its oldest fix has waited this long, so positions are at most a minute stale. */
  posBatchMaxAgeS: 60,
  /** A grazing batch is sealed at this many readings (protocol max 200). */
  grazingBatchMaxReadings: 50,
  /** ...or when its oldest reading has waited this long. */
  grazingBatchMaxAgeS: 120,
  /** Telemetry bytes per minute on a metered link; null = unlimited. SOS, receipts and hb are never held back. */
  byteBudgetPerMin: null as number | null,
  /** Outbox bound in payload bytes; past it the oldest telemetry is evicted (SOS and receipts never). */
  outboxMaxBytes: 64 * 1024 * 1024,
  /** Room kept on the outbox's disk for SOS and receipts (a file given back when the disk is full): ~thousands of SOS. */
  outboxReserveBytes: 1024 * 1024,
  /** While the outbox storage is full or failing, the agent checks this often whether there is room again. */
  storageProbeMs: 5_000,
  /** Outbox bound in messages; 200k ≈ several days of 1 Hz positions even unbatched. */
  outboxMaxMessages: 200_000,
  /** QoS 1 publishes awaiting PUBACK at once; bounds how far an SOS can be behind queued telemetry. */
  maxInflight: 32,
  /** First reconnect delay; doubled per failed round over all hub URLs. */
  reconnectInitialMs: 1_000,
  /** Reconnect delay cap: a herder's link may be down for hours, one try per 5 min is plenty. */
  reconnectMaxMs: 300_000,
  /** A CONNECT without CONNACK for this long is abandoned and the next hub URL is tried. */
  connectTimeoutMs: 15_000,
  /** MQTT keepalive; NAT boxes on mobile links drop idle flows after a few minutes. */
  keepaliveS: 60,
  /** The herder must confirm a cancel within this time, or the cancel request lapses. */
  sosCancelConfirmMs: 30_000,
  /** Repeated presses while an SOS is open are folded; a follow-up raise goes out at most this often. */
  sosRepressMinMs: 60_000,
  /** An SOS that could not be written (full disk) is written again this often while the agent runs. */
  sosRetryMs: 2_000,
  /** Notices kept for display; the oldest expired/read ones are dropped first. */
  noticesMax: 50,
  /** Notice ids remembered for de-duplication after the notice itself is gone. */
  noticeSeenMax: 500,
  /**
   * The trusted clock for GNSS dates is the system clock but never earlier than this (the agent's
   * build): a Pi that booted without network at 1970 still resolves two-digit years and GPS week
   * rollover to the right era.
   */
  trustedClockFloorMs: Date.UTC(2026, 0, 1),
  /** GPS-vs-local clock samples kept; the offset is the smallest (least-delayed) of them. */
  clockSamples: 16,
  /** Longest accepted input line (sensor, NMEA, gpsd JSON); longer lines are dropped and counted. */
  maxLineBytes: 8 * 1024,
  /** Local HTTP server for the TV app and notice page: loopback only. */
  httpHost: '127.0.0.1',
  /** Local HTTP port the TV app calls. */
  httpPort: 8787,
  /** Largest accepted local HTTP request body. */
  httpMaxBodyBytes: 4 * 1024,
} as const;

export const AGENT_VERSION = '0.1.0';

/**
 * Node flags for the device (edge/deploy/steppelink-edge.service uses the same; bench/edge.ts
 * measures with them). The agent is I/O-bound, so it trades CPU it does not need for memory:
 *   --lite-mode             interpreter and baseline tiers only, no optimising compiler (~8 MB RSS)
 *   --max-semi-space-size=1 a 1 MB young generation (~1 MB)
 *   --single-threaded       no V8 background threads (~1.5 MB of stacks and malloc arenas)
 *   --expose-gc             the agent runs one full GC after a large backlog has drained
 * The CPU cost shows only while draining a large backlog (see "edge drain" in bench/edge).
 */
export const DEVICE_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--lite-mode',
  '--single-threaded',
  '--expose-gc',
] as const;
