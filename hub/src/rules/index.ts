export { type RulesConfig, parseRulesConfig, rulesConfigSchema } from './config.ts';
export { demoZones } from './data/index.ts';
export { RULES_DEFAULTS, type RulesSettings } from './defaults.ts';
export { RulesEngine } from './engine.ts';
export { createRulesModule, type RulesModule, type RulesModuleOptions } from './module.ts';
export { ZONE_EDITORS } from './routes.ts';
export { parseZones, type Zone, zoneCollectionSchema, zoneFeatureSchema } from './zones.ts';
