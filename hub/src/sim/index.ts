// The simulated league (`@steppelink/hub/sim`): registry, fleet of boxes, an SMS gateway and zones.
export { createRng, type Rng } from './random.ts';
export { type Fleet, type FleetOptions, startFleet } from './fleet.ts';
export { generateLeague, type SimDevice, type SimLeague } from './league.ts';
export { type SimSmsGateway, startSimSmsGateway } from './sms-gateway.ts';
export { simZones } from './zones.ts';
export { borderLatAt, simBorder, URAD } from './geo/geography.ts';
