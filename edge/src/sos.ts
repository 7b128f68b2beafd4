import type {
  IncidentState,
  PowerSource,
  Position,
  SosAck,
  SosCategory,
  SosInput,
} from '@steppelink/protocols';
import type { TimerHandle, Timers } from './clock.ts';
import { EDGE_DEFAULTS } from './defaults.ts';
import { TypedEmitter } from './events.ts';
import {
  type SosInternal,
  type SosResult,
  type SosState,
  type SosStatus,
  sosMessage,
  sosStatusSchema,
} from './sos-status.ts';

export { SOS_STATES, type SosResult, type SosState, type SosStatus } from './sos-status.ts';

export interface SosControllerOptions {
  now(): number;
  timers: Timers;
  nextId(): string;
  /** Writes the message durably to the outbox; an Error if it could not. */
  submit(message: SosInput & { id: string }): Error | undefined;
  position?(): Position | undefined;
  power?(): { source: PowerSource; battery?: number } | undefined;
  load?(): string | undefined;
  save?(json: string): void;
  cancelConfirmMs?: number;
  repressMinMs?: number;
}

const TERMINAL: IncidentState[] = ['resolved', 'cancelled', 'false-alarm'];
const ACTIVE: SosState[] = ['sending', 'delivered', 'acknowledged', 'confirm-cancel', 'cancelling'];

/**
 * The household's SOS key: press → raise (durably queued, shown as "sending…"), PUBACK →
 * "delivered", sos-ack → "received by <name>". Cancel needs a second confirmation within
 * `cancelConfirmMs`. Repeated presses are counted and folded into a follow-up raise at most
 * every `repressMinMs`.
 */
export class SosController extends TypedEmitter<{ status: SosStatus }> {
  readonly #o: SosControllerOptions & { cancelConfirmMs: number; repressMinMs: number };
  #s: SosInternal = { state: 'idle', raiseIds: [], presses: 0, unsentPresses: 0 };
  #confirmTimer: TimerHandle | undefined;

  constructor(options: SosControllerOptions) {
    super();
    this.#o = {
      cancelConfirmMs: EDGE_DEFAULTS.sosCancelConfirmMs,
      repressMinMs: EDGE_DEFAULTS.sosRepressMinMs,
      ...options,
    };
    const saved = options.load?.();
    if (saved) {
      let raw: unknown;
      try {
        raw = JSON.parse(saved);
      } catch {
        raw = undefined;
      }
      const parsed = sosStatusSchema.safeParse(raw);
      if (parsed.success) this.#s = parsed.data;
      if (this.#s.state === 'confirm-cancel') this.#s = { ...this.#s, state: this.#s.resume ?? 'sending' };
    }
  }

  get state(): SosState {
    return this.#s.state;
  }

  status(): SosStatus {
    const { resume: _r, unsentPresses: _u, lastRaiseAt: _l, cancelId: _c, ...pub } = this.#s;
    return { ...pub, message: sosMessage(this.#s) };
  }

  press(category: SosCategory = 'unknown'): SosResult {
    const s = this.#s;
    const now = this.#o.now();
    if (!ACTIVE.includes(s.state)) {
      const id = this.#o.nextId();
      // State first: the PUBACK may come back before submit() returns.
      this.#update({
        state: 'sending',
        raiseIds: [id],
        presses: 1,
        unsentPresses: 0,
        pressedAt: now,
        lastRaiseAt: now,
        resume: undefined,
        cancelId: undefined,
        incidentId: undefined,
        deliveredAt: undefined,
        confirmBy: undefined,
        ack: undefined,
        closedReason: undefined,
      });
      const err = this.#raise(id, category, 1, now);
      if (err) {
        this.#s = s;
        this.#update({});
        return this.#fail('write-failed', err.message);
      }
      return this.#ok();
    }
    const next: Partial<SosInternal> = { presses: s.presses + 1, unsentPresses: s.unsentPresses + 1 };
    if (s.state === 'confirm-cancel') {
      this.#o.timers.clearTimeout(this.#confirmTimer);
      next.state = s.resume ?? 'sending';
      next.confirmBy = undefined;
    }
    const followUpDue = (s.lastRaiseAt ?? 0) + this.#o.repressMinMs <= now;
    if (followUpDue && (next.state ?? s.state) !== 'sending' && s.state !== 'cancelling') {
      const id = this.#o.nextId();
      const presses = next.unsentPresses ?? 1;
      this.#update({ ...next, raiseIds: [...s.raiseIds, id].slice(-50), unsentPresses: 0, lastRaiseAt: now });
      if (this.#raise(id, category, presses, now)) this.#update({ unsentPresses: presses });
      return this.#ok();
    }
    this.#update(next);
    return this.#ok();
  }

  /** First step of a cancel: asks for confirmation. */
  cancel(): SosResult {
    const s = this.#s;
    if (!ACTIVE.includes(s.state) || s.state === 'cancelling')
      return this.#fail('nothing-to-cancel', 'There is no open SOS to cancel.');
    if (s.state === 'confirm-cancel') return this.#ok();
    const confirmBy = this.#o.now() + this.#o.cancelConfirmMs;
    this.#confirmTimer = this.#o.timers.setTimeout(() => {
      if (this.#s.state === 'confirm-cancel')
        this.#update({ state: this.#s.resume ?? 'sending', resume: undefined, confirmBy: undefined });
    }, this.#o.cancelConfirmMs);
    this.#update({ state: 'confirm-cancel', resume: s.state, confirmBy });
    return this.#ok();
  }

  /** Second step: the confirmed cancel is sent. */
  confirmCancel(): SosResult {
    const s = this.#s;
    if (s.state !== 'confirm-cancel') {
      return this.#fail(
        'not-asked',
        'Ask to cancel first (POST /sos/cancel), then confirm within the time shown.',
      );
    }
    this.#o.timers.clearTimeout(this.#confirmTimer);
    const id = this.#o.nextId();
    this.#update({ state: 'cancelling', cancelId: id, resume: undefined, confirmBy: undefined });
    const err = this.#o.submit({
      v: 1,
      id,
      ts: this.#o.now(),
      action: 'cancel',
      confirmed: true,
      raiseId: s.raiseIds[0],
    });
    if (err) {
      this.#s = s;
      this.#update({ state: s.resume ?? 'sending', resume: undefined, confirmBy: undefined });
      return this.#fail('write-failed', err.message);
    }
    return this.#ok();
  }

  /** The broker acknowledged one of our messages. */
  onAcked(msgId: string): void {
    const s = this.#s;
    if (s.state === 'sending' && s.raiseIds.includes(msgId)) {
      this.#update({ state: 'delivered', deliveredAt: this.#o.now() });
    } else if (s.state === 'confirm-cancel' && s.resume === 'sending' && s.raiseIds.includes(msgId)) {
      this.#update({ resume: 'delivered', deliveredAt: this.#o.now() });
    } else if (s.state === 'cancelling' && s.cancelId === msgId) {
      this.#update({ state: 'closed', closedReason: 'cancelled' });
    }
  }

  /** The hub's feedback on the incident. */
  onSosAck(ack: SosAck): void {
    const s = this.#s;
    const ours =
      s.raiseIds.includes(ack.sosId) || (s.incidentId !== undefined && s.incidentId === ack.incidentId);
    if (!ours && ACTIVE.includes(s.state)) return;
    const info = { state: ack.state, at: this.#o.now(), texts: ack.texts, ...(ack.by ? { by: ack.by } : {}) };
    const next: Partial<SosInternal> = { ack: info, incidentId: ack.incidentId };
    if (!ours) next.raiseIds = [ack.sosId];
    let state: SosState =
      ack.state === 'acknowledged' || ack.state === 'dispatched' ? 'acknowledged' : 'delivered';
    if (TERMINAL.includes(ack.state)) {
      state = 'closed';
      next.closedReason =
        ack.state === 'resolved' ? 'resolved' : ack.state === 'false-alarm' ? 'false-alarm' : 'cancelled';
    }
    if (s.state === 'cancelling' && state !== 'closed') state = 'cancelling';
    if (s.state === 'confirm-cancel' && state !== 'closed') next.resume = state;
    else next.state = state;
    this.#update(next);
  }

  close(): void {
    this.#o.timers.clearTimeout(this.#confirmTimer);
  }

  #raise(id: string, category: SosCategory, presses: number, now: number): Error | undefined {
    const pos = this.#o.position?.();
    const power = this.#o.power?.();
    return this.#o.submit({
      v: 1,
      id,
      ts: now,
      action: 'raise',
      category,
      ...(pos ? { pos } : {}),
      ...(power ? { power } : {}),
      ...(presses > 1 ? { presses } : {}),
    });
  }

  #update(patch: Partial<SosInternal>): void {
    this.#s = { ...this.#s, ...patch };
    for (const k of Object.keys(this.#s) as (keyof SosInternal)[])
      if (this.#s[k] === undefined) delete this.#s[k];
    this.#o.save?.(JSON.stringify(this.#s));
    this.emit('status', this.status());
  }

  #ok(): SosResult {
    return { ok: true, status: this.status() };
  }

  #fail(code: 'nothing-to-cancel' | 'not-asked' | 'write-failed', message: string): SosResult {
    return { ok: false, code, message, status: this.status() };
  }
}
