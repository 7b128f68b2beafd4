import { join } from 'node:path';
import { REPLAY_WINDOW_DEFAULTS, type ReplayWindow } from '@steppelink/protocols/short-message';
import { loadServerKey, SERVER_KEY_FILE } from '../auth/server-key.ts';
import type { HubContext, HubModule } from '../context.ts';
import type { IncidentsModule } from '../incidents/module.ts';
import type { Notifier } from '../notify/port.ts';
import { type AckRelayDeps, shortAckRelay } from './ack-relay.ts';
import { type InboundResult, type InboundShort, ShortMessageInbound } from './inbound.ts';
import { MessageKeys } from './keys.ts';
import { httpOutbound, type OutboundGateway, type OutboundGatewayOptions } from './outbound.ts';
import { gatewayRoutes } from './routes.ts';

export const SHORT_MESSAGE_DEFAULTS = {
  /** sos-acks go back over SMS/BeiDou this long after the SOS's latest short message */
  ackWindowMs: 24 * 3_600_000,
  /** how often accepted copies older than both windows are forgotten */
  pruneEveryMs: 3_600_000,
};

export interface ShortMessageModuleOptions {
  /** The incidents module SOS short messages are raised in (it must run the relay this module makes). */
  incidents: () => IncidentsModule;
  /** Signs inbound POSTs (STEPPELINK_GATEWAY_SECRET); without it the webhook answers 503. */
  gatewaySecret?: string;
  /** Where sos-acks go back as SMS / BeiDou (STEPPELINK_SMS_OUT_URL); without it, MQTT only. */
  outbound?: OutboundGatewayOptions | OutboundGateway;
  replay?: Partial<ReplayWindow>;
  ackWindowMs?: number;
}

export type ShortMessageModule = HubModule & {
  /** For the incidents module's `deviceAckRelay`. */
  relay: (mqtt: Notifier) => Notifier;
  /** One received short message (what the webhook and `steppelink-hub sms-in` hand in). */
  receive(m: InboundShort): Promise<InboundResult>;
  readonly keys: MessageKeys;
};

/**
 * SOS over SMS and BeiDou short message: the inbound gateway (a signed webhook), each device's
 * message key (learnt when the hub has the device's secret in hand), and the sos-ack back over
 * the path an SOS came by while the box's MQTT link is down.
 */
export function createShortMessageModule(o: ShortMessageModuleOptions): ShortMessageModule {
  let ctx: HubContext | undefined;
  let keys: MessageKeys | undefined;
  let inbound: ShortMessageInbound | undefined;
  let pruneTimer: unknown;
  const need = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('The short-message module is not started: call start(ctx) first.');
    return x;
  };
  const replay = { ...REPLAY_WINDOW_DEFAULTS, ...o.replay };
  const ackWindowMs = o.ackWindowMs ?? SHORT_MESSAGE_DEFAULTS.ackWindowMs;
  const outbound: OutboundGateway | undefined =
    typeof o.outbound === 'function'
      ? o.outbound
      : o.outbound
        ? httpOutbound({ ...(o.gatewaySecret ? { secret: o.gatewaySecret } : {}), ...o.outbound })
        : undefined;
  const relayDeps = (): AckRelayDeps => {
    const c = need(ctx);
    return {
      db: c.db,
      registry: c.registry,
      keys: need(keys),
      publisher: c.publisher,
      clock: c.clock,
      log: c.log,
      outbound,
      windowMs: ackWindowMs,
    };
  };

  return {
    name: 'short-message',
    relay: shortAckRelay(relayDeps),
    get keys() {
      return need(keys);
    },
    start(c) {
      ctx = c;
      keys = new MessageKeys(c.db, loadServerKey(join(c.dataDir, SERVER_KEY_FILE)));
      const log = c.log.child({ component: 'short-message' });
      inbound = new ShortMessageInbound({
        db: c.db,
        registry: c.registry,
        keys,
        clock: c.clock,
        log,
        replay,
        deadLetter: (reason, topic, deviceId, detail) =>
          c.recordReject?.(reason, topic, deviceId, 'short-message-gateway', detail),
        sosArrived: (m, via) => o.incidents().sosArrived(m, via),
      });
      pruneTimer = c.clock.setInterval(
        () => inbound?.prune(Math.max(replay.pastMs, ackWindowMs) * 2),
        SHORT_MESSAGE_DEFAULTS.pruneEveryMs,
      );
    },
    receive: (m) => need(inbound).receive(m),
    onDeviceSecret(deviceId, secret) {
      need(keys).learn(deviceId, secret, need(ctx).clock.now());
    },
    publicRoutes: gatewayRoutes({
      secret: () => o.gatewaySecret,
      now: () => (ctx ? ctx.clock.now() : Date.now()),
      receive: (m) => need(inbound).receive(m),
    }),
    health() {
      return {
        state: ctx ? 'up' : 'down',
        inbound: o.gatewaySecret ? 'configured' : 'off',
        outbound: outbound ? 'configured' : 'off',
      };
    },
    close() {
      if (ctx && pruneTimer !== undefined) ctx.clock.clearInterval(pruneTimer);
    },
  };
}
