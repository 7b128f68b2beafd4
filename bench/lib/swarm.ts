import { Child } from './child.ts';
import type { SwarmDevice, SwarmIn, SwarmOut } from './swarm-child.ts';

/** Per-process open-file limit here is 20,000; each side of a connection holds one descriptor. */
export const MAX_FDS_PER_PROCESS = 20_000;

/**
 * Light MQTT clients spread over child processes (each below the per-process descriptor limit).
 * `connect` resolves when every client has its CONNACK and SUBACK; `expect` + `received` time
 * a fan-out: resolves when every connected client got a publish containing the marker.
 */
export class Swarm {
  private readonly children: Child<SwarmIn, SwarmOut>[];
  constructor(processes: number) {
    this.children = Array.from(
      { length: processes },
      () => new Child<SwarmIn, SwarmOut>(new URL('./swarm-child.ts', import.meta.url)),
    );
  }

  async connect(
    host: string,
    port: number,
    devices: SwarmDevice[],
    opts: { concurrency?: number; onProgress?: (connected: number) => void } = {},
  ): Promise<{ connected: number; failed: number; firstError: string | null; ms: number }> {
    const n = this.children.length;
    const parts = this.children.map((_, i) => devices.filter((_, j) => j % n === i));
    const progress = new Array<number>(n).fill(0);
    this.children.forEach((c, i) => {
      c.proc.on('message', (m: SwarmOut) => {
        if (m.type !== 'progress') return;
        progress[i] = m.connected;
        opts.onProgress?.(progress.reduce((a, b) => a + b, 0));
      });
    });
    const t0 = Date.now();
    const done = this.children.map((c) => c.next('connected'));
    this.children.forEach((c, i) => {
      c.send({
        type: 'connect',
        host,
        port,
        devices: parts[i]!,
        concurrency: Math.ceil((opts.concurrency ?? 200) / n),
      });
    });
    const results = await Promise.all(done);
    return {
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError ?? null,
      ms: Date.now() - t0,
    };
  }

  /** Process ids of the swarm's children (for their CPU time). */
  pids(): number[] {
    return this.children.map((c) => c.proc.pid ?? 0).filter((p) => p > 0);
  }

  /** Arms every child to count publishes containing `marker`; await the result after publishing. */
  expect(marker: string): Promise<{ count: number; firstAt: number; lastAt: number }> {
    const all = this.children.map((c) => c.next('received'));
    for (const c of this.children) c.send({ type: 'expect', marker });
    return Promise.all(all).then((rs) => ({
      count: rs.reduce((a, r) => a + r.count, 0),
      firstAt: Math.min(...rs.map((r) => r.firstAt)),
      lastAt: Math.max(...rs.map((r) => r.lastAt)),
    }));
  }

  async close(): Promise<void> {
    for (const c of this.children) c.send({ type: 'close' });
    await Promise.all(this.children.map((c) => c.stop()));
  }
}
