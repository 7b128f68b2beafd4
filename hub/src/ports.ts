import type { ComponentHealth } from './context.ts';

/** Device presence as the broker saw it (connect/disconnect/last will), kept in the state DB. */
export interface PresenceRecord {
  deviceId: string;
  online: boolean;
  /** Last time anything was heard from the device (connect, message, ping), hub ms. */
  lastSeen: number | null;
  connectedAt: number | null;
  disconnectedAt: number | null;
  lastReason: string | null;
}
export interface PresenceReader {
  get(deviceId: string): PresenceRecord | undefined;
  /** Presence for these devices (missing ones are never-seen). */
  many(deviceIds: readonly string[]): Map<string, PresenceRecord>;
  onlineCount(): number;
}

export const REJECT_REASONS = [
  'bad_topic', // topic not ours, malformed, unknown kind
  'acl', // topic a device (or person) doesn't own
  'unknown_device',
  'too_large',
  'not_utf8',
  'not_json',
  'not_object',
  'unsupported_version',
  'schema',
  'handler_error', // accepted, but a module failed on it (kept for inspection)
  'forged', // an SMS or BeiDou short message whose device MAC does not match
  'replayed', // a short message seen before, or sent outside the replay window
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A rejected or failed message, kept (bounded) for inspection through the API. */
export interface DeadLetter {
  id: number;
  at: number;
  topic: string;
  deviceId: string | null;
  clientId: string | null;
  reason: RejectReason;
  detail: string;
  /** First bytes of the payload, as text (invalid UTF-8 replaced), never more than 512 chars. */
  excerpt: string;
}
export interface DeadLetterReader {
  /** Newest first; a promise when the store answers asynchronously (the API awaits it). */
  list(q: {
    limit: number;
    beforeId?: number;
    reason?: RejectReason;
    deviceIds?: readonly string[];
  }): DeadLetter[] | Promise<DeadLetter[]>;
  /** Total rejections by reason since the database was created (not only those still kept). */
  counts(): Record<RejectReason, number>;
}

/** GET /api/health body. */
export interface HealthReport {
  state: 'up' | 'degraded' | 'down';
  version: string;
  uptimeS: number;
  components: Record<string, ComponentHealth>;
  queues: Record<string, number>;
}
