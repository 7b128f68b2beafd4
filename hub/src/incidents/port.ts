import type { Position, Severity, Texts } from '@steppelink/protocols';

/**
 * How other modules (rules, broadcast, worker reports) open incidents. The incidents module
 * implements it; rules and broadcast receive it injected. One open incident per `key` at a time:
 * raising an open key again updates/counts it instead of paging anew.
 */
export interface AlertInput {
  source: 'sos' | 'rule' | 'report' | 'task';
  /** e.g. 'stray', 'border-approach', 'border-crossing', 'grazing-ban', 'patrol-gap', 'man-down',
   *  'device-offline', 'low-battery', 'power-cut', 'notice-unread', or an SOS category. */
  category: string;
  severity: Severity;
  /** The unit the alert is routed to (usually a grid; a sumu for border rules). */
  unitId: string;
  /** Further units to notify at once (e.g. the township police-civilian station for the border). */
  alsoNotify?: string[];
  /** Dedupe key: rule + subject, e.g. `stray:hh-150824-104-0007:col-0007-a`. */
  key: string;
  householdId?: string;
  deviceId?: string;
  pos?: Position;
  /** Source time of the triggering observation (ms). */
  at: number;
  summary: Texts;
  details?: Record<string, unknown>;
}

export interface IncidentSink {
  raise(input: AlertInput): Promise<{ incidentId: string; created: boolean }>;
  /** The condition behind `key` ended (e.g. the herd returned): resolves an open rule incident, noted as auto-cleared. */
  clear(key: string, at: number, note?: string): Promise<void>;
}
