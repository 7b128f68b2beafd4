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
  /** A save of the status failed (storage full): the status lives on in memory. */
  onSaveError?(error: unknown): void;
  cancelConfirmMs?: number;
  repressMinMs?: number;
  /** While an SOS could not be written, the write is tried again this often. */
  retryMs?: number;
}

type Raise = Extract<SosInput, { action: 'raise' }> & { id: string };

/** The API's answer when an SOS could not be written: what happened and what to do. */
function unsavedMessage(error: Error): string {
  return `The SOS could not be saved on this box (${error.message}). It keeps trying while the box is on; call for help by phone as well.`;
}

const TERMINAL: IncidentState[] = ['resolved', 'cancelled', 'false-alarm'];

/** What the TV says when the hub's answer came by SMS or BeiDou without a text of its own. */
const SHORT_ACK_TEXTS = {
  sms: {
    zh: '求救已经短信送达，正在处理',
    mn: 'ᠠᠪᠤᠷᠠᠯ ᠤᠨ ᠳᠠᠭᠤᠳᠠᠯᠭ᠎ᠠ ᠣᠬᠣᠷ ᠮᠡᠳᠡᠭᠡ ᠪᠡᠷ ᠬᠦᠷᠪᠡ',
    en: 'Your SOS got through by SMS',
  },
  beidou: {
    zh: '求救已经北斗短报文送达，正在处理',
    mn: 'ᠠᠪᠤᠷᠠᠯ ᠤᠨ ᠳᠠᠭᠤᠳᠠᠯᠭ᠎ᠠ ᠪᠸᠢᠳᠸᠤ ᠣᠬᠣᠷ ᠮᠡᠳᠡᠭᠡ ᠪᠡᠷ ᠬᠦᠷᠪᠡ',
    en: 'Your SOS got through by BeiDou short message',
  },
} as const;
const ACTIVE: SosState[] = [
  'unsaved',
  'sending',
  'delivered',
  'acknowledged',
  'confirm-cancel',
  'cancelling',
];

/**
 * The household's SOS key: press → raise (durably queued, shown as "sending…"), PUBACK →
 * "delivered", sos-ack → "received by <name>". Cancel needs a second confirmation within
 * `cancelConfirmMs`. Repeated presses are counted and folded into a follow-up raise at most
 * every `repressMinMs` (sent when the window ends, not only on a later press).
 *
 * "sending" is shown only once the raise is in the outbox. When it cannot be written (a full or
 * failing disk) the state is "unsaved": the TV says so and what to do, and the raise is kept in
 * memory and written again every `retryMs` (and on every press) until it succeeds.
 */
export class SosController extends TypedEmitter<{ status: SosStatus }> {
  readonly #o: SosControllerOptions & { cancelConfirmMs: number; repressMinMs: number; retryMs: number };
  #s: SosInternal = { state: 'idle', raiseIds: [], presses: 0, unsentPresses: 0 };
  #confirmTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #followUpTimer: TimerHandle | undefined;
  /** The raise that could not be written yet (state "unsaved"). */
  #pending: Raise | undefined;
  /** The message being written now, and whether its PUBACK came back before submit returned. */
  #writing: { id: string; acked: boolean } | undefined;
  #closed = false;

  constructor(options: SosControllerOptions) {
    super();
    this.#o = {
      cancelConfirmMs: EDGE_DEFAULTS.sosCancelConfirmMs,
      repressMinMs: EDGE_DEFAULTS.sosRepressMinMs,
      retryMs: EDGE_DEFAULTS.sosRetryMs,
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
      if (this.#s.state === 'unsaved') {
        // The status was saved but the raise was not: rebuild it and keep trying.
        const id = this.#s.raiseIds.at(-1) ?? this.#o.nextId();
        this.#pending = this.#raiseMessage(
          id,
          'unknown',
          this.#s.presses,
          this.#s.pressedAt ?? this.#o.now(),
        );
        this.#scheduleRetry();
      }
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
    // A press while a drill is on the screen is a real emergency of its own, never a re-press of the drill.
    if (!ACTIVE.includes(s.state) || s.drill) {
      const id = this.#o.nextId();
      const raise = this.#raiseMessage(id, category, 1, now);
      const fresh: Partial<SosInternal> = {
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
        // a new emergency: its paths are its own
        via: undefined,
        sentVia: undefined,
        drill: undefined, // a real press, whatever drill the TV showed before
        category,
      };
      // The outbox first: "sending" is shown only for a raise that is on disk.
      const w = this.#write(raise);
      if (w.error) {
        this.#pending = raise;
        this.#update({ ...fresh, state: 'unsaved' });
        this.#scheduleRetry();
        return this.#fail('write-failed', unsavedMessage(w.error));
      }
      this.#update({ ...fresh, ...this.#written(w.acked, now) });
      return this.#ok();
    }
    const next: Partial<SosInternal> = { presses: s.presses + 1, unsentPresses: s.unsentPresses + 1 };
    if (s.state === 'confirm-cancel') {
      this.#o.timers.clearTimeout(this.#confirmTimer);
      next.state = s.resume ?? 'sending';
      next.confirmBy = undefined;
    }
    if ((next.state ?? s.state) === 'unsaved' && this.#pending) {
      // Still not on disk: this press counts into the same raise, which is tried again now.
      this.#pending = { ...this.#pending, presses: s.presses + 1 };
      this.#update({ ...next, unsentPresses: 0 });
      const error = this.#retry();
      return error ? this.#fail('write-failed', unsavedMessage(error)) : this.#ok();
    }
    this.#update(next);
    this.#followUp(category);
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
    if (s.resume === 'unsaved') {
      // Nothing reached the outbox, so there is nothing to cancel at the hub.
      this.#pending = undefined;
      this.#o.timers.clearTimeout(this.#retryTimer);
      this.#update({ state: 'closed', closedReason: 'cancelled', resume: undefined, confirmBy: undefined });
      return this.#ok();
    }
    const id = this.#o.nextId();
    this.#update({ state: 'cancelling', cancelId: id, resume: undefined, confirmBy: undefined });
    const { error: err } = this.#write({
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
    if (this.#writing?.id === msgId) {
      this.#writing.acked = true; // the PUBACK beat submit(); applied when it returns
      return;
    }
    const s = this.#s;
    if (s.state === 'sending' && s.raiseIds.includes(msgId)) {
      this.#update({ state: 'delivered', deliveredAt: this.#o.now(), via: s.via ?? 'mqtt' });
      this.#followUp();
    } else if (s.state === 'confirm-cancel' && s.resume === 'sending' && s.raiseIds.includes(msgId)) {
      this.#update({ resume: 'delivered', deliveredAt: this.#o.now() });
    } else if (s.state === 'cancelling' && s.cancelId === msgId) {
      this.#update({ state: 'closed', closedReason: 'cancelled' });
    }
  }

  /**
   * The hub's authenticated answer by SMS or BeiDou (the ladder checked its MAC): the SOS is in
   * the hub's hands, over that path. Only the SOS the answer was made for, only while it is active.
   */
  onShortAck(a: { sosId: string; state: IncidentState; path: 'sms' | 'beidou'; text?: string }): void {
    const s = this.#s;
    if (!s.raiseIds.includes(a.sosId) || !ACTIVE.includes(s.state) || s.state === 'unsaved') return;
    const texts = a.text ? { zh: a.text, mn: a.text, en: a.text } : SHORT_ACK_TEXTS[a.path];
    const info = { state: a.state, at: this.#o.now(), texts };
    let state: SosState =
      a.state === 'acknowledged' || a.state === 'dispatched' ? 'acknowledged' : 'delivered';
    const next: Partial<SosInternal> = { ack: info, via: s.via ?? a.path };
    if (TERMINAL.includes(a.state)) {
      state = 'closed';
      next.closedReason =
        a.state === 'resolved' ? 'resolved' : a.state === 'false-alarm' ? 'false-alarm' : 'cancelled';
    }
    if (s.state === 'cancelling' && state !== 'closed') state = 'cancelling';
    if (s.state === 'confirm-cancel' && state !== 'closed') next.resume = state;
    else if (!(s.state === 'acknowledged' && state === 'delivered')) next.state = state;
    if (!s.deliveredAt) next.deliveredAt = this.#o.now();
    this.#update(next);
  }

  /** A short-message path took the SOS (the ladder): shown on the TV beside the state. */
  onShortSent(path: 'sms' | 'beidou'): void {
    const sent = this.#s.sentVia ?? [];
    if (!sent.includes(path)) this.#update({ sentVia: [...sent, path] });
  }

  /** The hub's feedback on the incident. */
  onSosAck(ack: SosAck): void {
    const s = this.#s;
    const ours =
      s.raiseIds.includes(ack.sosId) || (s.incidentId !== undefined && s.incidentId === ack.incidentId);
    if (!ours && ACTIVE.includes(s.state)) return;
    const info = { state: ack.state, at: this.#o.now(), texts: ack.texts, ...(ack.by ? { by: ack.by } : {}) };
    const next: Partial<SosInternal> = { ack: info, incidentId: ack.incidentId, via: s.via ?? 'mqtt' };
    if (!ours) next.raiseIds = [ack.sosId];
    // a drill the hub started for this household: the hub marks every sos-ack of it
    next.drill = ack.drill === true ? true : undefined;
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

  /** Whether a raise is waiting in memory because it could not be written. */
  get unsaved(): boolean {
    return this.#pending !== undefined;
  }

  close(): void {
    this.#closed = true;
    this.#o.timers.clearTimeout(this.#confirmTimer);
    this.#o.timers.clearTimeout(this.#retryTimer);
    this.#o.timers.clearTimeout(this.#followUpTimer);
  }

  /** Writes one message through submit(), noting a PUBACK that arrives before it returns. */
  #write(m: SosInput & { id: string }): { error?: Error; acked: boolean } {
    const w = { id: m.id, acked: false };
    this.#writing = w;
    try {
      const error = this.#o.submit(m);
      return error ? { error, acked: false } : { acked: w.acked };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)), acked: false };
    } finally {
      this.#writing = undefined;
    }
  }

  #written(acked: boolean, now: number): Partial<SosInternal> {
    return acked ? { state: 'delivered', deliveredAt: now } : { state: 'sending' };
  }

  #scheduleRetry(): void {
    this.#o.timers.clearTimeout(this.#retryTimer);
    if (this.#closed) return;
    this.#retryTimer = this.#o.timers.setTimeout(() => this.#retry(), this.#o.retryMs);
  }

  /** Writes the unsaved raise again; an Error (and another try later) if it still cannot be. */
  #retry(): Error | undefined {
    const raise = this.#pending;
    if (!raise) return undefined;
    const w = this.#write(raise);
    if (w.error) {
      this.#scheduleRetry();
      return w.error;
    }
    this.#pending = undefined;
    this.#o.timers.clearTimeout(this.#retryTimer);
    const s = this.#s;
    if (s.state === 'unsaved') this.#update(this.#written(w.acked, this.#o.now()));
    else if (s.state === 'confirm-cancel' && s.resume === 'unsaved')
      this.#update({ resume: w.acked ? 'delivered' : 'sending' });
    return undefined;
  }

  /**
   * Sends the presses counted since the last raise as a follow-up raise once the re-press window
   * has passed and the first raise is through; otherwise waits for the window's end (or the PUBACK).
   */
  #followUp(category: SosCategory = 'unknown'): void {
    const s = this.#s;
    if (s.unsentPresses === 0 || (s.state !== 'delivered' && s.state !== 'acknowledged')) return;
    const now = this.#o.now();
    const dueAt = (s.lastRaiseAt ?? 0) + this.#o.repressMinMs;
    this.#o.timers.clearTimeout(this.#followUpTimer);
    this.#followUpTimer = undefined;
    if (dueAt > now) {
      if (!this.#closed)
        this.#followUpTimer = this.#o.timers.setTimeout(() => this.#followUp(category), dueAt - now);
      return;
    }
    const id = this.#o.nextId();
    const presses = s.unsentPresses;
    const w = this.#write(this.#raiseMessage(id, category, presses, now));
    // A follow-up that cannot be written stays counted and goes with the next one.
    if (!w.error)
      this.#update({ raiseIds: [...s.raiseIds, id].slice(-50), unsentPresses: 0, lastRaiseAt: now });
  }

  #raiseMessage(id: string, category: SosCategory, presses: number, now: number): Raise {
    const pos = this.#o.position?.();
    const power = this.#o.power?.();
    return {
      v: 1,
      id,
      ts: now,
      action: 'raise',
      category,
      ...(pos ? { pos } : {}),
      ...(power ? { power } : {}),
      ...(presses > 1 ? { presses } : {}),
    };
  }

  #update(patch: Partial<SosInternal>): void {
    this.#s = { ...this.#s, ...patch };
    for (const k of Object.keys(this.#s) as (keyof SosInternal)[])
      if (this.#s[k] === undefined) delete this.#s[k];
    try {
      this.#o.save?.(JSON.stringify(this.#s));
    } catch (error) {
      // The status is a convenience for a restart; the raise itself is in the outbox (or pending).
      this.#o.onSaveError?.(error);
    }
    this.emit('status', this.status());
  }

  #ok(): SosResult {
    return { ok: true, status: this.status() };
  }

  #fail(code: 'nothing-to-cancel' | 'not-asked' | 'write-failed', message: string): SosResult {
    return { ok: false, code, message, status: this.status() };
  }
}
