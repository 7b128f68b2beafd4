import type { Aedes } from 'aedes';

/**
 * Two shortcuts for a topic nobody can subscribe to (the broker's INGESTED_TOPIC). After
 * authorizePublish, aedes still "publishes" every client packet: an offline-queue lookup in the
 * persistence, then an emit through mqemitter, whose bounded concurrency queues the emits of a
 * busy ingest. For that topic both complete at once. Relies on aedes 1.2's `mq` and
 * `persistence` members (checked by the broker tests, which fail if a routed packet leaks).
 */
type Emitter = { emit(packet: { topic: string }, cb?: (err?: Error) => void): unknown };
type Persistence = { subscriptionsByTopic(topic: string): Promise<unknown[]> };

export function skipEmitOf(aedes: Aedes, topic: string): void {
  const mq = (aedes as unknown as { mq: Emitter }).mq;
  const emit = mq.emit.bind(mq);
  mq.emit = (packet, cb) => {
    if (packet.topic !== topic) return emit(packet, cb);
    cb?.();
    return mq;
  };
}

/** Call after `aedes.listen()` (which creates the persistence). */
export function skipOfflineLookupOf(aedes: Aedes, topic: string): void {
  const p = (aedes as unknown as { persistence: Persistence }).persistence;
  const byTopic = p.subscriptionsByTopic.bind(p);
  const none = Promise.resolve([]);
  p.subscriptionsByTopic = (t) => (t === topic ? none : byTopic(t));
}
