import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface TlsFiles {
  port: number;
  certFile: string;
  keyFile: string;
  /** CA bundle: when given, clients may present certificates signed by it (not required). */
  caFile?: string;
}

export interface Listener {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** MQTT over TCP: TCP_NODELAY on every accepted socket, or each QoS 1 round trip gains ~40 ms (Nagle + delayed ACK). */
export function listenTcp(handle: (s: Socket) => void, port: number, host: string): Promise<Listener> {
  return track(createNetServer({ noDelay: true }, handle), port, host);
}

/** MQTT over TLS with certificate files from config (read once at start). */
export function listenTls(handle: (s: Socket) => void, tls: TlsFiles, host: string): Promise<Listener> {
  const server = createTlsServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      noDelay: true,
    },
    handle,
  );
  return track(server, tls.port, host);
}

/**
 * Connections the kernel may hold waiting for accept(): a power-return storm brings a township's
 * boxes within a second, and past Node's default (511) the kernel drops their handshakes (or falls
 * back to SYN cookies) and each box waits its SYN retransmission (1 s, 3 s …). Linux caps it at
 * net.core.somaxconn (4096 by default since 5.4).
 */
export const LISTEN_BACKLOG = 4096;

function track(server: Server, port: number, host: string): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      const a = server.address();
      resolve({
        server,
        port: typeof a === 'object' && a ? a.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
