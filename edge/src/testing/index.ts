// Test helpers for other packages (the hub's end-to-end tests, the simulator's tests).
export {
  CliProcess,
  linkState,
  type ScenarioBroker,
  type ScenarioBrokerFactory,
  T0,
  tempDir,
  testAgent,
  type UpstreamObserver,
} from '../e2e/harness.ts';
export { runEdgeScenarios } from '../e2e/scenarios.ts';
export { runOutboxContract } from '../outbox/contract.ts';
export { type Collected, Collector } from './collector.ts';
export { createFakeLink, type FakeSession } from './fake-link.ts';
export { ManualTime } from './manual-time.ts';
export { type PatrolLogOptions, patrolNmeaLog } from './nmea-log.ts';
