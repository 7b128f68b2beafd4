/**
 * One short-message path of the SOS ladder (an SMS modem, a BeiDou terminal): the ladder sends
 * the SOS short message's bytes through it and hears the hub's answers from it. Adapters never
 * throw out of these methods: a failure is a value (the ladder tries again, or the next path).
 */
export type ShortPath = 'sms' | 'beidou';

export type SendOutcome =
  | { ok: true; ref?: string }
  | {
      ok: false;
      /** e.g. no-network, sim-full, frequency, no-terminal, timeout, refused */
      reason: string;
      detail: string;
      /** the path says when it can take the next message (a BeiDou card's sending frequency) */
      retryAfterMs?: number;
    };

/** A message the path received: the hub's sos-ack (SMS text, or BeiDou bytes as hex). */
export interface Received {
  from: string;
  text: string;
}

export interface ShortTransport {
  readonly path: ShortPath;
  start(): Promise<void>;
  send(bytes: Uint8Array): Promise<SendOutcome>;
  onReceive(fn: (m: Received) => void): void;
  /** What the path reports: ready, no-network, sim-full, … and counters. */
  health(): Record<string, unknown>;
  close(): Promise<void>;
}
