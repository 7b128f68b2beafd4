import type { EscalationPolicy } from './defaults.ts';
import { Router } from './router.ts';
import type { Unreached } from './reach.ts';
import { type Incident, isClosed } from './store.ts';
import { durationTexts, pagePrefix, prefixed, roleName } from './texts.ts';

/**
 * The escalation clock of an incident: one persisted timer (`next_at`/`next_action`) per
 * incident, set from its state and severity policy, and the step it runs when due — remind the
 * level, climb to the next, keep reminding the top, re-escalate an acknowledged incident nobody
 * dispatched, or retry routing when nobody was on duty anywhere.
 */
export class Escalator extends Router {
  /** Sets the incident's one timer from its state and policy. */
  protected schedule(inc: Incident, now: number): void {
    const p = this.policy(inc);
    const awaiting = inc.state === 'open' || inc.state === 'notified';
    if (awaiting && inc.nextAction === 'remind-top') return; // the top level keeps its own reminder timer
    inc.nextAt = null;
    inc.nextAction = null;
    if (isClosed(inc.state) || inc.state === 'dispatched') return;
    if (inc.state === 'acknowledged') {
      if (p.dispatchTimeoutMs !== null && inc.level + 1 < inc.chain.length) {
        inc.nextAt = Math.max(inc.ackAt ?? now, inc.levelAt ?? 0) + p.dispatchTimeoutMs;
        inc.nextAction = 'reescalate';
      }
      return;
    }
    if (inc.level < 0) {
      inc.nextAt = now + this.deps.options.rerouteEveryMs;
      inc.nextAction = 'route';
      return;
    }
    const levelAt = inc.levelAt ?? now;
    const deadline = levelAt + this.ackTimeout(inc, inc.level);
    const remindAt =
      p.reminderEveryMs > 0 ? levelAt + (inc.reminder + 1) * p.reminderEveryMs : Number.POSITIVE_INFINITY;
    if (remindAt < deadline) {
      inc.nextAt = remindAt;
      inc.nextAction = 'remind';
    } else {
      inc.nextAt = deadline;
      inc.nextAction = 'escalate';
    }
  }

  /**
   * Runs the incident's due step: called by the timer, or at once when everyone paged at the
   * level declined or nobody there could be reached.
   */
  protected step(inc: Incident, now: number, cause: 'due' | 'declined' | 'unreachable' = 'due'): void {
    const p = this.policy(inc);
    const action = inc.nextAction;
    const level = inc.level;
    const step = inc.chain[level];
    switch (action) {
      case 'route': {
        if (!this.route(inc, 0, now, 'retry', true)) {
          this.schedule(inc, now);
          this.save(inc, now);
          return;
        }
        break;
      }
      case 'remind': {
        inc.reminder += 1;
        this.remind(inc, now, this.levelDeadline(inc));
        break;
      }
      case 'escalate': {
        const silent = this.deps.outbox.paged(inc.id, level);
        inc.escalations += 1;
        this.t.record(inc, now, 'escalated', {
          level,
          note:
            cause === 'declined'
              ? `${this.names(silent)} 均已拒绝`
              : cause === 'unreachable'
                ? `${this.names(silent)} 无法送达`
                : `${this.names(silent)} 未在 ${durationTexts(this.ackTimeout(inc, level)).zh} 内确认`,
          data: { from: level, people: silent, cause },
        });
        if (!this.route(inc, level + 1, now, 'escalate')) {
          this.t.record(inc, now, 'top-reached', {
            level,
            note: `no one above ${step ? roleName(step.role).en : 'this level'} is on duty; reminding this level`,
          });
          this.remindTop(inc, now, p);
          return;
        }
        break;
      }
      case 'remind-top': {
        // Someone may have come on duty above since (a shift change): try them first.
        if (this.route(inc, level + 1, now, 'escalate', true)) {
          inc.escalations += 1;
          break;
        }
        inc.reminder += 1;
        inc.topReminders += 1;
        this.remind(inc, now, now + p.topReminderEveryMs);
        this.remindTop(inc, now, p);
        return;
      }
      case 'reescalate': {
        inc.escalations += 1;
        const acker = inc.ackBy ? this.names([inc.ackBy]) : '';
        this.t.record(inc, now, 'reescalated', {
          level,
          note: `${acker} 已确认，但 ${durationTexts(p.dispatchTimeoutMs ?? 0).zh} 内未出动`,
        });
        if (!this.route(inc, level + 1, now, 'reescalate')) {
          this.t.record(inc, now, 'top-reached', { level, note: 'no level above to re-escalate to' });
          inc.nextAt = null;
          inc.nextAction = null;
          this.save(inc, now);
          return;
        }
        break;
      }
      default:
        break;
    }
    this.schedule(inc, now);
    this.save(inc, now);
  }

  private levelDeadline(inc: Incident): number {
    return (inc.levelAt ?? this.now) + this.ackTimeout(inc, inc.level);
  }

  private remindTop(inc: Incident, now: number, p: EscalationPolicy): void {
    if (inc.topReminders >= p.topReminders) {
      this.t.record(inc, now, 'reminders-exhausted', {
        level: inc.level,
        note: 'no more reminders; the incident stays open',
      });
      inc.nextAt = null;
      inc.nextAction = null;
    } else {
      inc.nextAt = now + p.topReminderEveryMs;
      inc.nextAction = 'remind-top';
    }
    this.save(inc, now);
  }

  /** Pages the current level again (whoever is on duty there now, else whoever was paged). */
  protected remind(inc: Incident, now: number, ackBy: number, why?: string): void {
    const step = inc.chain[inc.level];
    if (!step) return;
    let people = this.deps.roster.onDuty(step.unit, step.role, now).people.filter((p) => p !== inc.reporter);
    if (people.length === 0) people = this.deps.outbox.paged(inc.id, inc.level);
    const texts = prefixed(pagePrefix('reminder', inc.reminder), inc.summary);
    this.pageStep(inc, inc.level, inc.reminder, step.role, people, ackBy, texts, now);
    this.t.record(inc, now, 'reminded', {
      level: inc.level,
      note: `${why ? `${why}; ` : ''}${this.names(people)}`,
      data: { reminder: inc.reminder, people },
    });
  }

  /**
   * No channel delivered the page of `level` to anybody there (see reach.ts): record who was
   * unreachable on which channel and climb now instead of waiting out the ack window. Once per
   * level; nothing happens when the incident has moved on (acknowledged, closed, another level).
   */
  escalateUnreachable(incidentId: string, level: number, people: readonly Unreached[]): boolean {
    return this.tx(() => {
      const inc = this.t.get(incidentId);
      if (!inc || isClosed(inc.state) || inc.level !== level) return false;
      if (inc.state !== 'open' && inc.state !== 'notified') return false;
      if (this.t.timeline(inc.id).some((e) => e.type === 'unreachable' && e.level === level)) return false;
      const now = this.now;
      const how = people.map(
        (u) => `${this.names([u.person])}（${u.channels.map((c) => `${c.channel} ${c.status}`).join('，')}）`,
      );
      this.t.record(inc, now, 'unreachable', {
        level,
        note: `无法送达：${how.join('；') || '无可用渠道'}`,
        data: { people },
      });
      inc.nextAction = 'escalate'; // the same climb as a missed ack window, now
      this.step(inc, now, 'unreachable');
      return true;
    });
  }
}
