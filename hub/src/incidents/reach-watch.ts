import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { DueTimer } from '../notify/due-timer.ts';
import type { Db } from '../state/db.ts';
import type { IncidentEngine } from './engine.ts';
import { levelReach, type ReachRow } from './reach.ts';

/**
 * Watches whether the current level of each waiting critical or high incident (SOS, border
 * crossing, man-down) was reached (levelReach) and, when no channel can deliver its page to
 * anybody there, has the engine climb at once. Medium and low alerts (strays, low battery) wait
 * out their ack windows of hours: a worker who opens the board later still sees them, and
 * climbing them at once would flood the banner command with routine alerts. Looked at
 * after delivery outcomes and commits (one look per incident per turn), when a queued app page
 * becomes overdue (its timer), and at start.
 */
export class ReachWatch {
  private readonly timer: DueTimer;
  private readonly due = new Set<string>();
  private queued = false;
  private closed = false;
  private readonly st;

  constructor(
    private readonly db: Db,
    private readonly engine: () => IncidentEngine,
    private readonly clock: Clock,
    private readonly fallbackAfterMs: number,
    private readonly log: Logger,
    /** Writes delivery outcomes not written yet: a look must see every outcome reported so far. */
    private readonly flush: () => void,
  ) {
    this.timer = new DueTimer(clock, () => this.sweep());
    this.st = {
      incident: db.prepare(
        `SELECT level, state FROM incidents WHERE id = ? AND closed_at IS NULL AND state IN ('open', 'notified')
           AND severity IN ('critical', 'high')`,
      ),
      rows: db.prepare(
        `SELECT person, channel, status, created_at AS createdAt FROM deliveries
         WHERE incident_id = ? AND kind = 'alert' AND level = ? AND person IS NOT NULL`,
      ),
      waiting: db
        .prepare(
          `SELECT id FROM incidents WHERE closed_at IS NULL AND state IN ('open', 'notified') AND level >= 0
             AND severity IN ('critical', 'high')`,
        )
        .pluck(),
    };
  }

  /** Looks at this incident once the current turn's outcomes are written. */
  check(incidentId: string): void {
    if (this.closed) return;
    this.due.add(incidentId);
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.flush();
      const ids = [...this.due];
      this.due.clear();
      for (const id of ids) this.look(id);
    });
  }

  /** Looks at every waiting incident (at start, and when an app page becomes overdue). */
  sweep(): void {
    if (this.closed || !this.db.open) return;
    this.flush();
    for (const id of this.st.waiting.all() as string[]) this.look(id);
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
  }

  private look(id: string): void {
    if (this.closed || !this.db.open) return;
    try {
      const inc = this.st.incident.get(id) as { level: number; state: string } | undefined;
      if (!inc || inc.level < 0) return;
      const rows = this.st.rows.all(id, inc.level) as ReachRow[];
      const reach = levelReach(rows, this.clock.now(), this.fallbackAfterMs);
      if (reach.state === 'pending') this.timer.armAt(reach.until);
      else if (reach.state === 'unreachable') {
        this.engine()
          .escalateUnreachable(id, inc.level, reach.people)
          .catch((err) =>
            this.log.error({ err, incidentId: id }, 'climbing past an unreachable level failed'),
          );
      }
    } catch (err) {
      this.log.error({ err, incidentId: id }, 'reach check failed; the ack window still escalates');
    }
  }
}
