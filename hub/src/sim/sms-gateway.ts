import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

export const SIM_SMS_DEFAULTS = {
  /** Share of people whose phone takes an SMS; the rest are out of coverage (the gateway says 404). */
  reachableShare: 0.9,
  /** Largest request body read; more is refused (413). */
  maxBodyBytes: 64 * 1024,
};

export interface SimSmsGateway {
  /** The webhook URL to give the incidents module (STEPPELINK_WEBHOOK_URL's place). */
  url: string;
  counts: { delivered: number; unreachable: number; bad: number };
  close(): Promise<void>;
}

/** Whether the simulated person's phone has coverage: fixed per person, so a demo run is repeatable. */
export function simPhoneReachable(personId: string, share = SIM_SMS_DEFAULTS.reachableShare): boolean {
  const h = createHash('sha256').update(personId).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < share;
}

/**
 * The SMS/voice gateway of the demo (`npm start` with the simulated league and no
 * STEPPELINK_WEBHOOK_URL): a local HTTP receiver that takes the hub's page POSTs, as a real
 * gateway would, answering 200 for people whose phone has coverage and 404 for the others. The
 * simulated league has no worker phones with the app, so without it every simulated SOS would
 * find nobody reachable and climb to the banner at once; with it the board shows pages delivered
 * by SMS and the levels waiting for an acknowledgement. It sends nothing anywhere.
 */
export async function startSimSmsGateway(
  log: Logger,
  o: Partial<typeof SIM_SMS_DEFAULTS> = {},
): Promise<SimSmsGateway> {
  const opts = { ...SIM_SMS_DEFAULTS, ...o };
  const counts = { delivered: 0, unreachable: 0, bad: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= opts.maxBodyBytes) chunks.push(c);
    });
    req.on('end', () => {
      let body: { personId?: unknown; name?: unknown; text?: unknown };
      try {
        if (size > opts.maxBodyBytes) throw new Error('too large');
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        counts.bad++;
        res.writeHead(size > opts.maxBodyBytes ? 413 : 400).end();
        return;
      }
      if (typeof body.personId !== 'string') {
        counts.bad++;
        res.writeHead(400).end();
        return;
      }
      if (!simPhoneReachable(body.personId, opts.reachableShare)) {
        counts.unreachable++;
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"out of coverage"}');
        return;
      }
      counts.delivered++;
      log.debug({ personId: body.personId, name: body.name }, 'sim: SMS delivered');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
