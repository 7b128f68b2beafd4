import type { Aedes, Client } from 'aedes';

export type SessionState = 'connected' | 'offline' | null;

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

type Subs = Record<string, { qos: number } | undefined>;
interface SessionPersistence {
  subscriptionsByClient(client: { id: string }): Promise<{ topic: string; qos: number }[] | null | undefined>;
}

/**
 * Whether a session of `clientId` would receive a QoS 1 message on `topic`: connected and
 * subscribed, a persistent (clean=false) session subscribed while offline — the broker queues it
 * for that session — or nobody. A subscription granted at QoS 0 counts as nobody: a QoS 0 copy
 * is never acknowledged, so it could never be shown as delivered.
 */
export async function sessionFor(aedes: Aedes, clientId: string, topic: string): Promise<SessionState> {
  const clients = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
  const client = clients[clientId] as (Client & { subscriptions?: Subs; clean?: boolean }) | undefined;
  if (client?.connected) {
    for (const [filter, sub] of Object.entries(client.subscriptions ?? {})) {
      if (sub && sub.qos > 0 && filterMatches(filter, topic)) return 'connected';
    }
    if (client.clean) return null;
  }
  const persistence = (aedes as unknown as { persistence: SessionPersistence }).persistence;
  const subs = (await persistence.subscriptionsByClient({ id: clientId })) ?? [];
  return subs.some((s) => s.qos > 0 && filterMatches(s.topic, topic)) ? 'offline' : null;
}
