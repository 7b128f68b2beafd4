import type { Notifier, Outcome, PageContent, Recipient } from './port.ts';

export type StreamWriter = (event: string, data: unknown) => void;

/**
 * The dashboard's live stream as a page channel: a page shows on every open SSE stream of that
 * person. Nobody watching is a final outcome (`no-listener`), not a failure: the other channels
 * carry the page.
 */
export class StreamHub implements Notifier {
  readonly channel = 'stream' as const;
  private readonly writers = new Map<string, Set<StreamWriter>>();

  /** Registers an open stream of `personId`; returns the function that unregisters it. */
  attach(personId: string, write: StreamWriter): () => void {
    const set = this.writers.get(personId) ?? new Set();
    set.add(write);
    this.writers.set(personId, set);
    return () => {
      set.delete(write);
      if (set.size === 0) this.writers.delete(personId);
    };
  }

  listeners(personId?: string): number {
    if (personId !== undefined) return this.writers.get(personId)?.size ?? 0;
    let n = 0;
    for (const s of this.writers.values()) n += s.size;
    return n;
  }

  render(content: PageContent, to: Recipient) {
    return {
      personId: to.id,
      page: {
        kind: content.kind,
        severity: content.severity,
        incidentId: content.incidentId,
        level: content.level,
        ackBy: content.ackBy,
        text: content.texts[to.lang],
        texts: content.texts,
      },
    };
  }

  async deliver(payload: unknown): Promise<Outcome> {
    const p = payload as { personId: string; page: unknown };
    const set = this.writers.get(p.personId);
    if (!set || set.size === 0) return { status: 'no-listener' };
    for (const w of set) w('page', p.page);
    return { status: 'delivered' };
  }
}
