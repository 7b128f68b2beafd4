import { decode, parseTopic, type UpKind } from '@steppelink/protocols';
import mqtt from 'mqtt';

export interface Collected {
  kind: UpKind;
  deviceId: string;
  msg: Record<string, unknown>;
  /** How often this id arrived (QoS 1 is at-least-once; the hub dedupes by id). */
  copies: number;
  /** Arrival order of the first copy. */
  order: number;
}

/**
 * A test subscriber standing in for the hub's ingest: collects every upstream message by its id,
 * validating each with the protocol schema. Persistent session so nothing is lost across a
 * broker restart.
 */
export class Collector {
  readonly byId = new Map<string, Collected>();
  readonly invalid: string[] = [];
  #client: mqtt.MqttClient | undefined;
  #arrivals = 0;
  #waiters = new Set<() => void>();

  static async start(url: string, clientId = `collector-${process.pid}-${Date.now()}`): Promise<Collector> {
    const c = new Collector();
    await c.#connect(url, clientId);
    return c;
  }

  async #connect(url: string, clientId: string): Promise<void> {
    const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 200, connectTimeout: 5_000 });
    this.#client = client;
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync('sl/v1/+/+', { qos: 1 });
  }

  #onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t.ok || t.value.type !== 'up') return;
    const d = decode(t.value.kind, payload);
    if (!d.ok) {
      this.invalid.push(`${topic}: ${d.error.message}`);
      return;
    }
    const msg = d.value as Record<string, unknown> & { id: string };
    const seen = this.byId.get(msg.id);
    if (seen) seen.copies++;
    else
      this.byId.set(msg.id, {
        kind: t.value.kind,
        deviceId: t.value.deviceId,
        msg,
        copies: 1,
        order: this.#arrivals++,
      });
    for (const w of this.#waiters) w();
  }

  /** Unique messages of a kind, in arrival order. */
  ofKind(kind: UpKind): Collected[] {
    return [...this.byId.values()].filter((c) => c.kind === kind).sort((a, b) => a.order - b.order);
  }

  get duplicates(): number {
    return [...this.byId.values()].reduce((n, c) => n + c.copies - 1, 0);
  }

  /** Resolves when `predicate` holds; rejects after `guardMs` (a hang guard, not a speed check). */
  waitFor(predicate: () => boolean, what: string, guardMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `collector: gave up waiting for ${what} after ${guardMs} ms (${this.byId.size} messages so far)`,
          ),
        );
      }, guardMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  /** Publishes a downlink message (as the hub would). */
  async publish(topic: string, payload: unknown): Promise<void> {
    await this.#client?.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.#client?.endAsync(true);
  }
}
