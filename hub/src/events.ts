import { EventEmitter } from 'node:events';

/**
 * In-process events between hub modules (presence → rules, incidents → SSE/dashboard,
 * broadcast progress → SSE). Not a durable path: anything that must survive a restart is
 * written to the state database by the module that owns it, before the event is emitted.
 * Modules add their events here.
 */
export interface HubEventMap {
  'device.presence': { deviceId: string; online: boolean; at: number; reason?: string };
  /** A device's access was revoked through the API (disabled, secret rotated): the broker cuts it off. */
  'device.revoked': { deviceId: string; reason: 'disabled' | 'secret_rotated'; at: number };
  'device.health': { deviceId: string; t: number; power: 'mains' | 'battery' | 'solar'; battery?: number };
  /** An incident was created or changed state (payload owned by the incidents module). */
  'incident.changed': { incidentId: string; unitId: string; state: string; at: number; data: unknown };
  /** A notice's delivery/read progress changed (payload owned by the broadcast module). */
  'notice.progress': { noticeId: string; at: number; data: unknown };
}

export class HubEvents {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  constructor() {
    this.emitter.setMaxListeners(1000); // one per open SSE stream, plus modules
  }
  emit<K extends keyof HubEventMap>(name: K, payload: HubEventMap[K]): void {
    this.emitter.emit(name, payload);
  }
  on<K extends keyof HubEventMap>(name: K, listener: (payload: HubEventMap[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
