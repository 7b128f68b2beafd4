import { idleLatch, isIdle, type LatchEvent, type LatchTiming, type Level, stepLatch } from './latch.ts';
import type { ConditionRow, RulesStore } from './store.ts';

export interface ConditionInfo {
  category: string;
  unitId: string;
}

/**
 * The rule conditions (one latch per alert key = rule + subject) that are pending or active.
 * Idle ones are dropped, so memory holds only subjects near or past an edge; the map is also
 * capped (oldest merely-pending conditions dropped first, and counted). Changes are written
 * to the rules tables: at once when an alert was raised or cleared (so open alerts survive a
 * crash), otherwise at the next flush.
 */
export class Conditions {
  private readonly map = new Map<string, ConditionRow>();
  private readonly dirty = new Set<string>();
  /** Pending conditions dropped because the map was full. */
  dropped = 0;

  constructor(
    private readonly store: RulesStore,
    private readonly maxOpen: number,
  ) {
    for (const row of store.conditions()) this.map.set(row.key, row);
  }

  get size(): number {
    return this.map.size;
  }
  get(key: string): Readonly<ConditionRow> | undefined {
    return this.map.get(key);
  }
  isActive(key: string): boolean {
    return this.map.get(key)?.active === true;
  }
  /** Active (or raised) conditions, e.g. for the API. */
  active(): ConditionRow[] {
    return [...this.map.values()].filter((c) => c.active || c.raised);
  }

  step(
    key: string,
    info: ConditionInfo,
    t: number,
    level: Level,
    timing: LatchTiming,
    fresh: boolean,
  ): LatchEvent {
    let row = this.map.get(key);
    if (!row) {
      if (level !== 'on') return null; // nothing to do for an idle condition that stays off
      row = { key, ...info, ...idleLatch(t) };
      this.map.set(key, row);
      this.enforceCap();
    }
    const event = stepLatch(row, t, level, timing, fresh);
    if (event === 'raise' || event === 'clear') row.unitId = info.unitId;
    this.settle(row, event);
    return event;
  }

  /** Forget a raised alert whose delivery failed, so the next observation raises it again. */
  unraise(key: string): void {
    const row = this.map.get(key);
    if (!row) return;
    row.raised = false;
    this.settle(row, 'reset');
  }

  /** Sets a condition directly (for conditions decided by counting, not by a stream of observations). */
  set(key: string, info: ConditionInfo, active: boolean, raised: boolean, t: number): void {
    const row = this.map.get(key) ?? { key, ...info, ...idleLatch(t) };
    Object.assign(row, info, { active, raised, pendingSince: null, lastT: Math.max(row.lastT, t) });
    row.activeSince = active ? (row.activeSince ?? t) : null;
    this.map.set(key, row);
    this.settle(row, 'raise');
  }

  /** Ends a condition (its alert was or is being cleared). True when it was raised. */
  end(key: string): boolean {
    const row = this.map.get(key);
    if (!row) return false;
    this.map.delete(key);
    this.dirty.delete(key);
    this.write(key);
    return row.raised;
  }

  /** Drops pending conditions not observed since `before` (the subject went quiet). */
  prune(before: number): number {
    let n = 0;
    for (const row of this.map.values()) {
      if (!row.active && !row.raised && row.lastT < before) {
        this.map.delete(row.key);
        this.dirty.add(row.key);
        n++;
      }
    }
    return n;
  }

  flush(): void {
    if (this.dirty.size === 0) return;
    this.store.transaction(() => {
      for (const key of this.dirty) this.write(key);
    });
    this.dirty.clear();
  }

  private settle(row: ConditionRow, event: LatchEvent): void {
    if (event === null) return;
    if (isIdle(row)) this.map.delete(row.key);
    if (event === 'raise' || event === 'clear' || event === 'silent-on' || event === 'silent-off') {
      this.write(row.key);
      this.dirty.delete(row.key);
    } else this.dirty.add(row.key);
  }

  private write(key: string): void {
    const row = this.map.get(key);
    if (row) this.store.putCondition(row);
    else this.store.deleteCondition(key);
  }

  private enforceCap(): void {
    if (this.map.size <= this.maxOpen) return;
    for (const row of this.map.values()) {
      if (this.map.size <= this.maxOpen) break;
      if (row.active || row.raised) continue;
      this.map.delete(row.key);
      this.dirty.add(row.key);
      this.dropped++;
    }
  }
}

export type { LatchTiming, Level };
