import {
  CANNED_REPLY_TEXTS,
  type CannedReply,
  cannedReplySchema,
  type MessageInputOf,
  type SosMsg,
  shortTextProblem,
  type Texts,
} from '@steppelink/protocols';

/** One line of the conversation during an SOS, as the TV page shows it. */
export interface TalkLine {
  id: string;
  from: 'household' | 'responder';
  /** box time it was written (household) or received (responder) */
  at: number;
  canned?: CannedReply;
  /** the canned phrase in every language (the page picks the household's) */
  texts?: Texts;
  text?: string;
  by?: { name: string; role: string };
  /** household lines: `queued` in the outbox until the hub's PUBACK makes them `sent` */
  state?: 'queued' | 'sent';
  /** responder lines: when the household saw it (its read receipt was queued then) */
  readAt?: number;
}

export type ReplyResult =
  | { ok: true; line: TalkLine }
  | { ok: false; code: 'no-sos' | 'invalid' | 'write-failed'; message: string };
export type TalkReadOutcome = 'read' | 'already-read' | 'unknown';

export interface SosTalkOptions {
  /** The raise this conversation belongs to (the first of the latest SOS), undefined when none. */
  sosId(): string | undefined;
  /** Whether that SOS is still going (replies are refused once it is closed or cancelled). */
  active(): boolean;
  incidentId(): string | undefined;
  /** Writes a sos-reply to the durable outbox (sent like the SOS when the link is up). */
  submit(m: MessageInputOf<'sos-reply'> & { id: string }): Error | undefined;
  nextId(): string;
  now(): number;
  /** lines kept per SOS: the oldest go first (a TV page shows the last few) */
  maxLines?: number;
}

/**
 * The household's side of two-way messages during its SOS: replies picked with the remote
 * (a canned code and/or short text) are queued in the outbox like the SOS; responders' texts
 * (`sos-msg`) are kept for the TV page, and shown ones answered with a `read` receipt once.
 * The conversation starts afresh with each new SOS.
 */
export class SosTalk {
  readonly #o: SosTalkOptions;
  #sosId: string | undefined;
  #lines: TalkLine[] = [];

  constructor(o: SosTalkOptions) {
    this.#o = o;
  }

  /** The conversation of the current SOS, oldest first. */
  lines(): TalkLine[] {
    this.#sync();
    return this.#lines.map((l) => ({ ...l }));
  }

  /** The household answers: a canned code, short text, or both. Validated before it is queued. */
  reply(r: { canned?: string; text?: string }): ReplyResult {
    this.#sync();
    const sosId = this.#sosId;
    if (!sosId || !this.#o.active()) {
      return { ok: false, code: 'no-sos', message: 'no SOS is active: press SOS first' };
    }
    if (r.canned === undefined && r.text === undefined) {
      return { ok: false, code: 'invalid', message: 'a reply needs a canned code or a text' };
    }
    const canned = r.canned === undefined ? undefined : cannedReplySchema.safeParse(r.canned);
    if (canned && !canned.success) {
      return { ok: false, code: 'invalid', message: `canned: unknown reply ${JSON.stringify(r.canned)}` };
    }
    const problem = r.text === undefined ? undefined : shortTextProblem(r.text);
    if (problem) return { ok: false, code: 'invalid', message: `text ${problem}` };
    const id = this.#o.nextId();
    const incidentId = this.#o.incidentId();
    const message: MessageInputOf<'sos-reply'> & { id: string } = {
      v: 1,
      id,
      ts: this.#o.now(),
      type: 'say',
      sosId,
      ...(incidentId ? { incidentId } : {}),
      ...(canned?.data ? { canned: canned.data } : {}),
      ...(r.text !== undefined ? { text: r.text } : {}),
    };
    const error = this.#o.submit(message);
    if (error) return { ok: false, code: 'write-failed', message: error.message };
    const line: TalkLine = {
      id,
      from: 'household',
      at: message.ts,
      ...(canned?.data ? { canned: canned.data, texts: CANNED_REPLY_TEXTS[canned.data] } : {}),
      ...(r.text !== undefined ? { text: r.text } : {}),
      state: 'queued',
    };
    this.#push(line);
    return { ok: true, line: { ...line } };
  }

  /** A responder's text arrived; false when it is for another SOS or already here (redelivery). */
  receive(m: SosMsg): boolean {
    this.#sync();
    if (m.sosId !== this.#sosId && m.incidentId !== this.#o.incidentId()) return false;
    if (this.#lines.some((l) => l.id === m.id)) return false;
    this.#push({ id: m.id, from: 'responder', at: this.#o.now(), text: m.text, by: { ...m.from } });
    return true;
  }

  /** The page showed a responder's text: queues its `read` receipt, once. */
  markRead(messageId: string): TalkReadOutcome {
    const line = this.#lines.find((l) => l.id === messageId && l.from === 'responder');
    if (!line || !this.#sosId) return 'unknown';
    if (line.readAt !== undefined) return 'already-read';
    const incidentId = this.#o.incidentId();
    const error = this.#o.submit({
      v: 1,
      id: this.#o.nextId(),
      ts: this.#o.now(),
      type: 'read',
      sosId: this.#sosId,
      ...(incidentId ? { incidentId } : {}),
      messageId,
    });
    if (error) return 'unknown';
    line.readAt = this.#o.now();
    return 'read';
  }

  /** The hub took a household line (its PUBACK). */
  onAcked(msgId: string): void {
    const line = this.#lines.find((l) => l.id === msgId && l.from === 'household');
    if (line) line.state = 'sent';
  }

  /** A new SOS starts a new conversation. */
  #sync(): void {
    const id = this.#o.sosId();
    if (id !== undefined && id !== this.#sosId) {
      this.#lines = [];
      this.#sosId = id;
    }
  }

  #push(line: TalkLine): void {
    this.#lines.push(line);
    const max = this.#o.maxLines ?? 50;
    if (this.#lines.length > max) this.#lines.splice(0, this.#lines.length - max);
  }
}
