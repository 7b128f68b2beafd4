import type { Aedes, Client } from 'aedes';

/** Does an MQTT topic filter match a topic name? `+` is one level, a trailing `#` the rest [MQTT-4.7.1]. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Every filter that matches `topic` and differs from it only in wildcard levels (our ACL allows no others). */
export function filtersFor(topic: string): string[] {
  const levels = topic.split('/');
  const out = [topic];
  for (let i = levels.length - 1; i >= 0; i--) {
    const head = levels.slice(0, i).join('/');
    out.push(i === 0 ? '#' : `${head}/#`);
    out.push([...levels.slice(0, i), '+', ...levels.slice(i + 1)].join('/'));
  }
  return out;
}

interface SessionPersistence {
  subscriptionsByTopic(topic: string): Promise<{ clientId: string; qos: number }[]>;
}

/**
 * Who would receive a hub message at QoS 1: the connected clients' QoS ≥ 1 subscriptions
 * (kept from aedes' subscribe / unsubscribe / disconnect events) and the persistent sessions'
 * subscriptions in the broker's persistence (connected or not: the broker queues for those).
 * A QoS 0 subscription does not count: its copy is never acknowledged, so it could never be
 * shown as delivered.
 */
export class SubscriberIndex {
  private readonly byFilter = new Map<string, Set<string>>();
  private readonly byClient = new Map<string, Set<string>>();

  constructor(private readonly aedes: Aedes) {
    aedes.on('subscribe', (subs, client) => {
      for (const s of subs) {
        if (s.qos === 1 || s.qos === 2) this.add(s.topic, client.id);
        else this.remove(s.topic, client.id); // refused (128) or downgraded to 0
      }
    });
    aedes.on('unsubscribe', (topics, client) => {
      for (const t of topics) this.remove(t, client.id);
    });
    aedes.on('clientDisconnect', (client: Client) => {
      for (const f of this.byClient.get(client.id) ?? []) this.byFilter.get(f)?.delete(client.id);
      this.byClient.delete(client.id);
    });
  }

  /** Whether a session would receive a QoS 1 message on this topic now or when it reconnects. */
  async hasSubscriber(topic: string): Promise<boolean> {
    for (const f of filtersFor(topic)) if ((this.byFilter.get(f)?.size ?? 0) > 0) return true;
    const persistence = (this.aedes as unknown as { persistence: SessionPersistence }).persistence;
    const subs = await persistence.subscriptionsByTopic(topic);
    return subs.some((s) => s.qos > 0);
  }

  private add(filter: string, clientId: string): void {
    const clients = this.byFilter.get(filter) ?? new Set<string>();
    this.byFilter.set(filter, clients.add(clientId));
    const filters = this.byClient.get(clientId) ?? new Set<string>();
    this.byClient.set(clientId, filters.add(filter));
  }

  private remove(filter: string, clientId: string): void {
    this.byFilter.get(filter)?.delete(clientId);
    this.byClient.get(clientId)?.delete(filter);
  }
}
