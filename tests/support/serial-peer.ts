import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A simulated serial device on a real pty: python3 opens the pty (raw, like `stty raw`), prints
 * the slave's path (what the agent opens as its modem or BeiDou port), then relays bytes both
 * ways between the pty master and its own stdin/stdout, so the device's logic runs here in Node.
 */
export interface SerialPeer {
  path: string;
  write(data: string): void;
  onData(fn: (chunk: string) => void): void;
  close(): Promise<void>;
}

const RELAY = `
import os, pty, sys, tty, select
m, s = pty.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
out = sys.stdout.fileno()
inp = sys.stdin.fileno()
while True:
    r, _, _ = select.select([m, inp], [], [])
    if m in r:
        try:
            data = os.read(m, 4096)
        except OSError:
            data = b''
        if data:
            os.write(out, data)
    if inp in r:
        data = os.read(inp, 4096)
        if not data:
            break
        view = memoryview(data)
        while view:
            n = os.write(m, view)
            view = view[n:]
`;

export async function openSerialPeer(): Promise<SerialPeer> {
  if (!existsSync('/usr/bin/python3')) throw new Error('/usr/bin/python3 is needed to open a pty');
  const child: ChildProcess = spawn('/usr/bin/python3', ['-u', '-c', RELAY], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const fns: ((c: string) => void)[] = [];
  const path = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      child.stdout!.on('data', (b: Buffer) => {
        for (const f of fns) f(b.toString('latin1'));
      });
      child.stdout!.resume(); // readline's close paused it
      resolve(l.trim());
    });
    child.once('exit', () => reject(new Error('the pty relay exited')));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    path,
    write: (d) => child.stdin!.write(Buffer.from(d, 'latin1')),
    onData: (fn) => fns.push(fn),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.end();
        child.kill();
        await exited;
      }
    },
  };
}
