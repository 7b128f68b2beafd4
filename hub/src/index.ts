// Public API of the SteppeLink hub: build it (createHub, createApi, the standard modules), its
// types (the API's AppType for typed clients, modules, events) and the registry document.
// Test helpers live in `@steppelink/hub/testing`, the simulator in `@steppelink/hub/sim`.
export { type ApiDeps, type AppType, createApi } from './api/app.ts';
export { type BroadcastModule, createBroadcastModule } from './broadcast/module.ts';
export { type CheckinsModule, createCheckinsModule } from './checkins/module.ts';
export type { Accepted, HubContext, HubModule, Publisher } from './context.ts';
export { type DashboardSiteOptions, withDashboard } from './dashboard-static.ts';
export { openTileArchive, type TileArchive } from './tiles/pmtiles.ts';
export { type HubEventMap, HubEvents } from './events.ts';
export { createHub, type Hub, type HubOptions } from './hub.ts';
export { createIncidentsModule, type IncidentsModule } from './incidents/module.ts';
export type { AlertInput, IncidentSink } from './incidents/port.ts';
export type { IncidentView } from './incidents/view.ts';
export { createLogger, type Logger, silentLogger } from './log.ts';
export { createStandardModules, type StandardModules } from './modules.ts';
export { createShortMessageModule, type ShortMessageModule } from './short-message/module.ts';
export { GATEWAY_PATH } from './short-message/routes.ts';
export { SIGNATURE_HEADER, sign as signGatewayPost } from './short-message/signature.ts';
export type { DeadLetter, RejectReason } from './ports.ts';
export { type DeviceKind, type RegistryDocument, registryDocumentSchema } from './registry/schema.ts';
export { hashSecret } from './registry/secrets.ts';
export { Registry } from './registry/registry.ts';
export { openSqliteRegistry, SqliteRegistryStore } from './registry/sqlite-store.ts';
export type { RegistryStore } from './registry/store-port.ts';
export { demoZones } from './rules/data/index.ts';
export { RulesEngine } from './rules/engine.ts';
export { createRulesModule, type RulesModule } from './rules/module.ts';
export { parseZones } from './rules/zones.ts';
export { openDatabase } from './state/db.ts';
