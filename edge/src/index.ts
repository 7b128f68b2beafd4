// Public API of the SteppeLink edge agent. Test helpers live in `@steppelink/edge/testing`.
export {
  type AgentEvents,
  type AgentOptions,
  type AgentState,
  type AgentStats,
  type CloseReport,
  createAgent,
  EdgeAgent,
} from './agent.ts';
export { ByteBudget } from './budget.ts';
export { type Clock, systemClock, systemTimers, type TimerHandle, TimeSource, type Timers } from './clock.ts';
export {
  type ConfigResult,
  type EdgeConfig,
  type EdgeConfigInput,
  edgeConfigSchema,
  type InputConfig,
  loadConfig,
  parseConfig,
} from './config.ts';
export { AGENT_VERSION, DEVICE_NODE_FLAGS, EDGE_DEFAULTS } from './defaults.ts';
export { LocalServer, type LocalServerOptions } from './http/server.ts';
export { createIdFactory } from './ids.ts';
export { commandLineInput } from './inputs/command-lines.ts';
export { inputFromConfig, inputsFromConfig } from './inputs/from-config.ts';
export { GpsdInput, type GpsdOptions } from './inputs/gpsd.ts';
export { inputEventKey } from './inputs/input-event.ts';
export { GPS_ERA_MS, nearestEra, resolveNmeaDate } from './inputs/gnss-time.ts';
export { NmeaAssembler, type NmeaEvent, type NmeaStats, nmeaChecksum } from './inputs/nmea.ts';
export { type NmeaHealth, nmeaInput } from './inputs/nmea-input.ts';
export type { FixSource, InputAdapter, InputSink } from './inputs/port.ts';
export { sensorSerialInput, sensorUdpInput } from './inputs/sensor-inputs.ts';
export { parseSensorLine } from './inputs/sensor-line.ts';
export { type SensorSimOptions, sensorSimInput } from './inputs/sensor-sim.ts';
export { mqttConnectionFactory } from './link/mqtt.ts';
export type { Connection, ConnectionFactory, ConnectionHandlers, ConnectOptions } from './link/port.ts';
export { type LinkEvents, type LinkState, LinkSupervisor } from './link/supervisor.ts';
export { createJsonLogger, type Logger, type LogLevel, silentLogger } from './logger.ts';
export { NoticeBoard, type ShownNotice } from './notices.ts';
export { createMemoryOutbox } from './outbox/memory.ts';
export {
  type StorageState,
  type StorageStatus,
  StorageRefusedError,
  storageFault,
} from './outbox/storage.ts';
export * from './outbox/port.ts';
export { openSqliteOutbox, type SqliteOutboxOptions } from './outbox/sqlite.ts';
export type { AgentSettings, RuntimeSettings } from './settings.ts';
export { SOS_STATES, SosController, type SosResult, type SosState, type SosStatus } from './sos.ts';
export { AtModem, type AtModemOptions } from './short-message/at-modem.ts';
export { BeidouTerminal, type BeidouOptions, parseRdss, rdssSentence } from './short-message/beidou.ts';
export { LADDER_DEFAULTS, type LadderEvent, SosLadder } from './short-message/ladder.ts';
export { decodeDeliver, decodeSubmit, deliverPdu, submitPdu } from './short-message/pdu.ts';
export type { Received, SendOutcome, ShortPath, ShortTransport } from './short-message/port.ts';
