import type { IConnackPacket, IDisconnectPacket } from 'mqtt';
import type { Logger } from '../../log.ts';
import { type ResolvedExternalOptions, sharedFilters } from './options.ts';
import { type Consume, ConsumerConnection, connackReason, SESSION_TAKEN_OVER } from './session.ts';

export interface AdoptionReport {
  /** the dead hub's client id */
  clientId: string;
  /**
   * draining: connected under its id, recording what its session held;
   * released: drained and the session ended (expiry 0);
   * empty: the broker had no session under that id (expired, or never there);
   * taken-back: the hub itself came back and took its session over, which is what should happen;
   * failed: see `error` (run the adoption again)
   */
  state: 'draining' | 'released' | 'empty' | 'taken-back' | 'failed';
  /** messages recorded from the adopted session */
  drained: number;
  error?: string;
}

/**
 * Adopts a dead hub's session to drain it. Measured on mosquitto 2.0.11 (README, "Scaling beyond
 * one machine"): a persistent shared-subscription member keeps being given its share while it is
 * dead, and those messages wait in its session until its client id connects again. So a sibling
 * connects with that id (clean start off), unsubscribes the shared filters at once (the broker
 * gives the session nothing new; what it already holds is still delivered, measured), records
 * and acknowledges each message as the hub's own connection does, and once nothing has come for
 * `drainQuietMs` ends the session with a DISCONNECT whose session expiry is 0, so the group is
 * served by the live hubs only. If the dead hub comes back meanwhile, it takes its session over
 * (the broker disconnects the adopter with 0x8E) and goes on as before.
 */
export function drainSession(
  o: ResolvedExternalOptions,
  clientId: string,
  consume: Consume,
  report: AdoptionReport,
  log: Logger,
): Promise<AdoptionReport> {
  return new Promise((resolve, reject) => {
    let lastAt = Date.now();
    let inFlight = 0;
    let quietTimer: ReturnType<typeof setInterval> | undefined;
    const startedAt = Date.now();
    const counting: Consume = (topic, payload, ack) => {
      inFlight++;
      lastAt = Date.now();
      consume(topic, payload, (ok) => {
        inFlight--;
        lastAt = Date.now();
        if (ok) report.drained++;
        ack(ok);
      });
    };
    const conn = new ConsumerConnection(o.url, o, clientId, counting, () => {
      finish('failed', 'a message could not be recorded; run the adoption again');
    });
    const c = conn.client;
    let done = false;
    const finish = (state: AdoptionReport['state'], error?: string) => {
      if (done) return;
      done = true;
      clearInterval(quietTimer);
      report.state = state;
      if (error) report.error = error;
      // probing an id with no session (a hub's unused consumer ids) is routine: not worth an info line
      (state === 'empty' ? log.debug : log.info).call(
        log,
        { clientId, state, drained: report.drained, error },
        'adoption of a dead hub session ended',
      );
      if (state === 'failed') {
        c.end(true, {}, () => resolve(report));
        return;
      }
      if (state === 'taken-back') {
        c.end(true, {}, () => resolve(report));
        return;
      }
      // [MQTT-3.14.2-2] a session expiry set non-zero at CONNECT may be changed on DISCONNECT: 0 ends it
      c.end(false, { properties: { sessionExpiryInterval: 0 } }, () => resolve(report));
    };
    c.once('connect', (ack: IConnackPacket) => {
      if (!ack.sessionPresent) {
        finish('empty');
        return;
      }
      log.info({ clientId }, 'adopting a dead hub session');
      c.unsubscribe(sharedFilters(o.group), (err) => {
        if (err) {
          finish('failed', `unsubscribe failed: ${err.message}`);
          return;
        }
        lastAt = Date.now();
        quietTimer = setInterval(
          () => {
            if (inFlight > 0) return;
            if (Date.now() - lastAt >= o.drainQuietMs) finish('released');
            else if (Date.now() - startedAt > o.drainMaxMs)
              finish('failed', `still receiving after ${o.drainMaxMs} ms`);
          },
          Math.max(50, Math.min(500, o.drainQuietMs / 4)),
        );
      });
    });
    c.on('disconnect', (p: IDisconnectPacket) => {
      if (p.reasonCode === SESSION_TAKEN_OVER) finish('taken-back');
    });
    c.on('error', (err: Error & { code?: unknown }) => {
      if (done) return;
      const why = typeof err.code === 'number' ? connackReason(err.code) : err.message;
      done = true;
      clearInterval(quietTimer);
      c.end(true);
      reject(new Error(`cannot connect as ${clientId}: ${why}`));
    });
    c.on('close', () => {
      if (done) return;
      done = true;
      clearInterval(quietTimer);
      c.end(true);
      reject(new Error(`the connection as ${clientId} closed before the drain finished; run it again`));
    });
  });
}
