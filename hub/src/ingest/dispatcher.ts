import type { Clock } from '../clock.ts';
import type { Accepted, AcceptedHandler, HubModule } from '../context.ts';
import type { Logger } from '../log.ts';
import type { HubMetrics } from '../metrics.ts';
import type { IngestKind, PendingAccept } from './accept-queue.ts';

/** An accepted message as the processor hands it on. */
export type Item = Pick<PendingAccept, 'seq' | 'deviceId' | 'kind' | 'msg' | 'receivedAt'>;
type Handler = { module: string; fn: AcceptedHandler<IngestKind> };

export interface DispatcherDeps {
  clock: Clock;
  log: Logger;
  metrics: HubMetrics;
  /** a handler slower than this counts as failed (it keeps running; processing moves on) */
  timeoutMs: number;
  /** called once per failed handler, with "module: reason" */
  failed(item: Item, detail: string): void;
}

/**
 * Calls every module's handler for a message's kind, in module order, awaiting each (bounded by
 * the timeout). A handler that throws, rejects or times out is logged, counted and reported to
 * `failed`; the others still run.
 */
export class Dispatcher {
  private readonly byKind = new Map<string, Handler[]>();

  constructor(
    modules: readonly HubModule[],
    private readonly d: DispatcherDeps,
  ) {
    for (const m of modules) {
      for (const [kind, fn] of Object.entries(m.handlers ?? {})) {
        if (!fn) continue;
        const list = this.byKind.get(kind) ?? [];
        list.push({ module: m.name, fn: fn as AcceptedHandler<IngestKind> });
        this.byKind.set(kind, list);
      }
    }
  }

  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  async dispatch(it: Item): Promise<void> {
    const handlers = this.byKind.get(it.kind);
    if (!handlers) return;
    const accepted: Accepted<IngestKind> = {
      seq: it.seq,
      deviceId: it.deviceId,
      kind: it.kind,
      msg: it.msg as Accepted<IngestKind>['msg'],
      receivedAt: it.receivedAt,
    };
    for (const h of handlers) {
      try {
        const r = h.fn(accepted);
        if (r && typeof (r as Promise<void>).then === 'function') await this.withTimeout(r as Promise<void>);
      } catch (err) {
        this.d.metrics.handlerErrors.inc({ module: h.module });
        this.d.log.error(
          { err, module: h.module, kind: it.kind, deviceId: it.deviceId },
          'module handler failed',
        );
        this.d.failed(it, `${h.module}: ${(err as Error)?.message ?? err}`);
      }
    }
  }

  private withTimeout(p: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.d.clock.setTimeout(
        () => reject(new Error(`handler did not finish within ${this.d.timeoutMs} ms`)),
        this.d.timeoutMs,
      );
      p.then(
        () => {
          this.d.clock.clearTimeout(handle);
          resolve();
        },
        (e) => {
          this.d.clock.clearTimeout(handle);
          reject(e);
        },
      );
    });
  }
}
