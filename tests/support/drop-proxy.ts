import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP pass-through in front of a server, to simulate a network drop the way a wall screen
 * meets one: `drop()` cuts every open connection and refuses new ones until `restore()`.
 * (Browser "offline" emulation leaves an open EventSource stream alone, so it cannot test this.)
 */
export interface DropProxy {
  url: string;
  /** Connections currently passed through. */
  open(): number;
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startDropProxy(target: { host: string; port: number }): Promise<DropProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const drop = () => {
    down = true;
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => pairs.size,
    drop,
    restore() {
      down = false;
    },
    close() {
      drop();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
