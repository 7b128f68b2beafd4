import { createSocket, type Socket } from 'node:dgram';
import type { Clock, Timers } from '../clock.ts';
import { LineSplitter } from './lines.ts';
import { LineSource } from './line-source.ts';
import type { InputAdapter } from './port.ts';
import { parseSensorLine } from './sensor-line.ts';

/** Grazing sensor lines from a serial port or file (a LoRa/433 MHz relay on /dev/ttyUSB0). */
export function sensorSerialInput(opts: { path: string; clock: Clock; timers: Timers }): InputAdapter {
  let source: LineSource | undefined;
  const name = `sensor-serial:${opts.path}`;
  return {
    name,
    start(sink) {
      source = new LineSource({
        open: opts.path,
        timers: opts.timers,
        onLine: (line) => {
          if (line.trim() === '') return;
          const r = parseSensorLine(line, opts.clock.now());
          if (r.ok) sink.reading(r.reading);
          else sink.reject(name, r.reason);
        },
        onError: (m) => sink.reject(name, m),
      });
      source.start();
    },
    close() {
      source?.close();
    },
  };
}

/** Grazing sensor lines over UDP (one or more lines per datagram), bound to host:port. */
export function sensorUdpInput(opts: {
  host: string;
  port: number;
  clock: Clock;
}): InputAdapter & { address(): { host: string; port: number } } {
  let socket: Socket | undefined;
  const name = `sensor-udp:${opts.host}:${opts.port}`;
  return {
    name,
    start(sink) {
      return new Promise<void>((resolve, reject) => {
        const s = createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
        socket = s;
        s.on('message', (msg) => {
          const splitter = new LineSplitter();
          for (const line of [...splitter.push(msg), ...splitter.end()]) {
            if (line.trim() === '') continue;
            const r = parseSensorLine(line, opts.clock.now());
            if (r.ok) sink.reading(r.reading);
            else sink.reject(name, r.reason);
          }
          if (splitter.dropped > 0) sink.reject(name, `${splitter.dropped} over-long line(s) dropped`);
        });
        s.once('error', reject);
        s.bind(opts.port, opts.host, () => {
          s.off('error', reject);
          s.on('error', (e) => sink.reject(name, e.message));
          resolve();
        });
      });
    },
    address() {
      const a = socket?.address();
      return { host: a?.address ?? opts.host, port: a?.port ?? opts.port };
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!socket) return resolve();
        socket.close(() => resolve());
        socket = undefined;
      });
    },
  };
}
