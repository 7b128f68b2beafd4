import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { withCompression } from './compression.ts';
import type { Logger } from './log.ts';

export const MQTT_WS_PATH = '/mqtt';

export interface HttpServerOptions {
  /** The HTTP app (hono's `app.fetch`). */
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>;
  /** Serves an MQTT-over-WebSocket stream (the broker's `handle`). */
  mqtt: (stream: import('node:stream').Duplex, req: IncomingMessage) => void;
  /** Largest WebSocket message accepted (one MQTT packet). */
  maxWsMessageBytes: number;
  log: Logger;
}

export interface HttpServer {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One node HTTP server for the API (hono via @hono/node-server) and MQTT over WebSocket at
 * `/mqtt` (ws → duplex stream → aedes), the transport browsers and workers' phones use. Answers are
 * compressed for clients that accept it (compression.ts).
 */
export function createHttpServer(o: HttpServerOptions): HttpServer {
  const server = createServer(getRequestListener(withCompression(o.fetch)));
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxWsMessageBytes });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true); // QoS 1 round trips over WebSocket too (see DESIGN: broker hardening)
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== MQTT_WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', (err) => o.log.debug({ err: err.message }, 'mqtt websocket stream error'));
      o.mqtt(stream, req);
    });
  });
  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
