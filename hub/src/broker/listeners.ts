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

function track(server: Server, port: number, host: string): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
