import type { Fix } from '@steppelink/protocols';
import type { RulesSettings } from './defaults.ts';
import type { Observation } from './env.ts';

export interface OrderCounters {
  positions: number;
  late: number;
  future: number;
}

/**
 * Source-time order per subject (an animal of a household, or a patrol tracker). Fixes of a
 * batch are taken oldest first; one older than the newest already evaluated is late (the rules
 * skip it, patrol coverage still counts it); one stamped beyond `maxFutureSkewMs` ahead of the
 * hub clock is dropped. Each fix is marked fresh when an alert from it would still be news:
 * within `staleAlertMs` of the subject's newest fix and `alertMaxAgeMs` of the hub clock.
 * The newest time per subject is kept in a map bounded by `maxSubjects` (least recently used
 * out first) and pruned of idle subjects.
 */
export class SubjectOrder {
  private readonly newest = new Map<string, number>();

  constructor(private readonly counters: OrderCounters) {}

  get size(): number {
    return this.newest.size;
  }

  take(
    key: string,
    subjectId: string,
    fixes: readonly Fix[],
    now: number,
    s: RulesSettings,
  ): { o: Observation; inOrder: boolean }[] {
    let last = this.newest.get(key) ?? Number.NEGATIVE_INFINITY;
    const sorted = fixes.filter((f) => f.t <= now + s.maxFutureSkewMs).sort((a, b) => a.t - b.t);
    this.counters.future += fixes.length - sorted.length;
    this.counters.positions += sorted.length;
    if (sorted.length === 0) return [];
    const newest = Math.max(last, sorted.at(-1)!.t);
    const out = sorted.map((f) => {
      const inOrder = f.t > last;
      if (inOrder) last = f.t;
      else this.counters.late++;
      const fresh = newest - f.t <= s.staleAlertMs && now - f.t <= s.alertMaxAgeMs;
      return { o: { subjectId, t: f.t, lat: f.lat, lon: f.lon, fresh }, inOrder };
    });
    this.newest.delete(key); // re-insert: the map's order is least recently used first
    this.newest.set(key, last);
    if (this.newest.size > s.maxSubjects) this.newest.delete(this.newest.keys().next().value!);
    return out;
  }

  prune(before: number): void {
    for (const [k, t] of this.newest) if (t < before) this.newest.delete(k);
  }
}
