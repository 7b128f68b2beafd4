// Parts of the hub that bench/ measures on their own (`@steppelink/hub/internals`); not a public API.
export { EVENT_LOOP_SLICE_US, requestSchedulerSlice } from './thread-priority.ts';
export { telemetryWorkerOf } from './telemetry/sqlite-worker.ts';
