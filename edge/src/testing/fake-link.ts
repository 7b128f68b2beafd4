import type { Connection, ConnectionFactory, ConnectionHandlers } from '../link/port.ts';

export interface FakeSession {
  url: string;
  handlers: ConnectionHandlers;
  subscriptions: string[];
  published: { topic: string; payload: Buffer; done: (e?: Error) => void }[];
  ended: boolean;
}

/**
 * An in-process stand-in for a broker connection, for unit tests: sessions connect when told,
 * publishes are recorded and acknowledged when told (or at once with autoAck).
 */
export function createFakeLink(opts: { autoConnect?: boolean; autoAck?: boolean } = {}) {
  const sessions: FakeSession[] = [];
  const factory: ConnectionFactory = (url, _options, handlers) => {
    const s: FakeSession = { url, handlers, subscriptions: [], published: [], ended: false };
    sessions.push(s);
    const conn: Connection = {
      publish(topic, payload, done) {
        const p = { topic, payload: Buffer.from(payload), done };
        if (opts.autoAck) done();
        else s.published.push(p);
        if (opts.autoAck) s.published.push({ ...p, done: () => {} });
      },
      subscribe(topics, done) {
        s.subscriptions.push(...topics);
        done();
      },
      end: async () => {
        s.ended = true;
      },
    };
    if (opts.autoConnect) queueMicrotask(() => handlers.connect(false));
    return conn;
  };
  const current = () => sessions.at(-1);
  return {
    factory,
    sessions,
    current,
    /** All publishes across sessions, decoded as JSON, with their topics. */
    messages: () =>
      sessions.flatMap((s) =>
        s.published.map((p) => ({
          topic: p.topic,
          msg: JSON.parse(p.payload.toString()) as Record<string, unknown>,
        })),
      ),
    deliver(topic: string, payload: unknown) {
      current()?.handlers.message(
        topic,
        Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
      );
    },
    ackAll() {
      for (const s of sessions) for (const p of s.published.splice(0)) p.done();
    },
  };
}
