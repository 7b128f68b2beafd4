import type { Aedes, Client } from 'aedes';
import type { Logger } from '../log.ts';
import type { Identity } from './acl.ts';
import type { BrokerHooks } from './broker.ts';
import { PacketTooLargeError } from './packet-guard.ts';

/** What the broker knows about one connection, from CONNECT on. */
export interface ConnectState {
  /** the client id as sent (aedes replaces an empty one) */
  rawClientId: string;
  /** the socket's remote address (of the HTTP upgrade for MQTT over WebSocket) */
  address?: string;
  /** declared keepalive 0: held under the broker's idle limit instead */
  keepaliveZero?: boolean;
  identity?: Identity;
  /** why the connection ended, when known before aedes reports the disconnect */
  reason?: string;
  willSent?: boolean;
}

/**
 * Presence from aedes' client events: a device is online once its CONNACK is out (clientReady),
 * offline with a reason when its connection ends (clean DISCONNECT, keepalive timeout, takeover
 * by a new connection, an error, a packet over the size bound), and heard on every PINGREQ.
 */
export function wireClientEvents(
  a: Aedes,
  conns: WeakMap<Client, ConnectState>,
  hooks: BrokerHooks,
  log: Logger,
): void {
  a.on('clientReady', (client) => {
    const who = conns.get(client)?.identity;
    if (who?.type === 'device') hooks.deviceConnected(who.deviceId);
  });
  a.on('subscribe', (subscriptions, client) => {
    const who = conns.get(client)?.identity;
    if (who?.type !== 'device' || !hooks.deviceSubscribed) return;
    // aedes lists refused subscriptions too, with qos set to 128 (SUBACK 0x80; its types say
    // 0 | 1 | 2): leave them out
    hooks.deviceSubscribed(
      who.deviceId,
      subscriptions.filter((s) => (s.qos as number) !== 128).map((s) => s.topic),
      { clean: client.clean !== false },
    );
  });
  a.on('clientDisconnect', (client) => {
    const st = conns.get(client);
    const who = st?.identity;
    if (who?.type !== 'device') return;
    const closedCleanly = (client as unknown as { _disconnected?: boolean })._disconnected === true;
    const reason = st?.reason ?? (closedCleanly ? 'disconnect' : 'connection_lost');
    hooks.deviceDisconnected(who.deviceId, st?.willSent ? `${reason}; last will published` : reason);
  });
  a.on('keepaliveTimeout', (client) => {
    const st = conns.get(client);
    if (st && !st.reason) st.reason = st.keepaliveZero ? 'idle_limit' : 'keepalive_timeout';
  });
  a.on('ping', (_packet, client) => {
    const who = conns.get(client)?.identity;
    if (who?.type === 'device') hooks.deviceHeard(who.deviceId);
  });
  const onError = (client: Client, err: Error) => {
    const st = conns.get(client);
    if (st && !st.reason)
      st.reason = err instanceof PacketTooLargeError ? 'packet_too_large' : `error: ${err.message}`;
    if (err instanceof PacketTooLargeError) {
      const who = st?.identity;
      hooks.recordReject(
        'too_large',
        '(unread)',
        who?.type === 'device' ? who.deviceId : null,
        client.id ?? st?.rawClientId ?? null,
        `${err.message}; connection closed`,
      );
    }
    log.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
  };
  a.on('clientError', onError);
  a.on('connectionError', onError);
}
