import { type BroadcastModule, createBroadcastModule } from './broadcast/module.ts';
import { type CheckinsModule, createCheckinsModule } from './checkins/module.ts';
import type { Clock } from './clock.ts';
import type { HubModule } from './context.ts';
import {
  createIncidentsModule,
  type IncidentsModule,
  type IncidentsModuleOptions,
} from './incidents/module.ts';
import { demoZones } from './rules/data/index.ts';
import { createRulesModule, type RulesModule } from './rules/module.ts';
import {
  createShortMessageModule,
  type ShortMessageModule,
  type ShortMessageModuleOptions,
} from './short-message/module.ts';

export interface StandardModulesOptions {
  /** Zones (GeoJSON FeatureCollection) for the rules when none are stored yet; default: the demo Urad border and zones. */
  zones?: unknown;
  rulesConfig?: unknown;
  /** SMS/voice gateway for pages (STEPPELINK_WEBHOOK_URL). */
  webhook?: IncidentsModuleOptions['webhook'];
  /** The rescue dispatcher's system, sent each dispatch's handover (STEPPELINK_DISPATCH_URL). */
  dispatchWebhook?: IncidentsModuleOptions['dispatchWebhook'];
  incidents?: Omit<IncidentsModuleOptions, 'webhook' | 'clock'>;
  clock?: Clock;
  /** Run the rules' periodic tick (offline detection, patrol gaps...). Default true. */
  rulesTick?: boolean;
  /**
   * SOS over SMS and BeiDou: the inbound gateway's secret (STEPPELINK_GATEWAY_SECRET) and where
   * sos-acks go back (STEPPELINK_SMS_OUT_URL). The module always runs: it learns each device's
   * message key at MQTT CONNECT, so the path works once a gateway is configured.
   */
  shortMessage?: Omit<ShortMessageModuleOptions, 'incidents'>;
}

export interface StandardModules {
  incidents: IncidentsModule;
  rules: RulesModule;
  broadcast: BroadcastModule;
  checkins: CheckinsModule;
  shortMessage: ShortMessageModule;
  /** In start order: incidents first, since rules and broadcast raise into it. */
  list: HubModule[];
}

/**
 * The hub's features wired together: rules and unread emergency notices open incidents through
 * the incident engine's sink; the engine pages the duty chain and answers the household's box.
 */
export function createStandardModules(o: StandardModulesOptions = {}): StandardModules {
  const shortMessage = createShortMessageModule({ ...o.shortMessage, incidents: () => incidents });
  const incidents: IncidentsModule = createIncidentsModule({
    ...o.incidents,
    deviceAckRelay: shortMessage.relay,
    ...(o.webhook ? { webhook: o.webhook } : {}),
    ...(o.dispatchWebhook ? { dispatchWebhook: o.dispatchWebhook } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    // the rescue handover names the nearest of the rules' water points and roads
    places: () =>
      rules.places().map((z) => ({
        id: z.properties.id,
        kind: z.properties.kind,
        name: z.properties.name,
        note: z.properties.note,
        geometry: z.geometry,
      })),
  });
  const rules = createRulesModule({
    sink: incidents.sink,
    zones: o.zones ?? demoZones(),
    ...(o.rulesConfig !== undefined ? { config: o.rulesConfig } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.rulesTick !== undefined ? { tick: o.rulesTick } : {}),
  });
  const broadcast = createBroadcastModule({ sink: incidents.sink });
  const checkins = createCheckinsModule();
  return {
    incidents,
    rules,
    broadcast,
    checkins,
    shortMessage,
    list: [incidents, rules, broadcast, checkins, shortMessage],
  };
}
