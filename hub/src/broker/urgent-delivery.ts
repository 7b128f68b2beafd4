import type { Client } from 'aedes';
import mqttPacket from 'mqtt-packet';

/**
 * The parts of an aedes 1.2 client that its own `deliverQoS` uses. Not public API: the broker
 * tests (urgent-delivery.test.ts) fail if they change.
 */
interface AedesClientInternals {
  id: string;
  clean: boolean;
  connected: boolean;
  connecting: boolean;
  errored: boolean;
  conn: NodeJS.WritableStream;
  duplicates: Record<string, number>;
  subscriptions: Record<string, { qos: number } | undefined>;
  _nextId: number;
  deliverQoS: Deliver;
  waitForDrain(done: () => void): void;
  _onError(err?: Error | null): void;
  emit(event: 'error', err: Error): boolean;
  broker: {
    authorizeForward(client: Client, packet: PublishPacket): PublishPacket | null | undefined;
    persistence: { outgoingUpdate(client: Client, packet: PublishPacket): Promise<void> };
  };
}

interface PublishPacket {
  cmd: 'publish';
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  brokerId?: string;
  brokerCounter?: number;
}
type Deliver = (packet: PublishPacket, cb: () => void) => void;

/**
 * aedes 1.2 hands every QoS 1 delivery to a subscriber to `setImmediate` ("give nodejs some time
 * to clear stacks"), so the message waits until every other socket read that is ready in the
 * same event-loop turn has been handled. For the topics `isUrgent` names (a worker's SOS alert)
 * this client writes at once instead, with the bookkeeping of aedes' own deliverQoS: dedupe by
 * broker counter, `authorizeForward`, the packet id from the client's counter, the
 * subscription's QoS, and, for a persistent session, the outgoing record that makes aedes resend
 * it after a reconnect if it was not acknowledged. Everything else goes through aedes unchanged.
 *
 * Call it before the client's SUBSCRIBE is handled (aedes takes `deliverQoS` when it subscribes),
 * e.g. from `preConnect`.
 */
export function deliverUrgentAtOnce(aedesClient: Client, isUrgent: (topic: string) => boolean): void {
  const client = aedesClient as unknown as AedesClientInternals;
  const deferred = client.deliverQoS;
  client.deliverQoS = function deliverUrgent(original, cb) {
    if (original.qos === 0 || !isUrgent(original.topic)) {
      deferred(original, cb);
      return;
    }
    if (!firstDelivery(client, original)) {
      setImmediate(cb);
      return;
    }
    const forward = client.broker.authorizeForward(aedesClient, original);
    if (!forward) {
      setImmediate(cb);
      return;
    }
    // As aedes-packet copies it: the broker id and counter identify it in the persistence.
    const packet: PublishPacket = {
      cmd: 'publish',
      brokerId: forward.brokerId,
      brokerCounter: forward.brokerCounter,
      topic: forward.topic,
      payload: forward.payload,
      qos: Math.min(forward.qos, client.subscriptions[forward.topic]?.qos ?? forward.qos) as 0 | 1,
      retain: forward.retain,
      dup: forward.dup,
    };
    if (packet.qos > 0) packet.messageId = forward.messageId ?? nextId(client);
    // The in-memory persistence records the id synchronously; the write need not wait for it.
    if (!client.clean && packet.qos > 0 && !packet.retain) {
      client.broker.persistence.outgoingUpdate(aedesClient, packet).catch(noop);
    }
    write(client, packet, cb);
  };
}

/** aedes' dedupe: a subscriber matched by several of its filters gets a message once. */
function firstDelivery(client: AedesClientInternals, packet: PublishPacket): boolean {
  const id = packet.brokerId;
  if (!id) return true;
  const counter = packet.brokerCounter ?? 0;
  if ((client.duplicates[id] ?? 0) >= counter) return false;
  client.duplicates[id] = counter;
  return true;
}

/** aedes' QoSPacket: packet ids come from the client's counter, 1…65535. */
function nextId(client: AedesClientInternals): number {
  const id = client._nextId;
  client._nextId = id >= 65_535 ? 1 : id + 1;
  return id;
}

/** aedes' write(): on a full socket buffer the callback waits for 'drain'. */
function write(client: AedesClientInternals, packet: PublishPacket, cb: () => void): void {
  if (!client.connecting && !client.connected) {
    setImmediate(cb);
    return;
  }
  try {
    if (!mqttPacket.writeToStream(packet as mqttPacket.IPublishPacket, client.conn) && !client.errored) {
      client.waitForDrain(cb);
      return;
    }
  } catch (e) {
    client.emit('error', e instanceof Error ? e : new Error(String(e)));
  }
  setImmediate(cb);
}

function noop(): void {}
