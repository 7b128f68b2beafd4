import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A real pseudo-terminal, as a USB serial GPS appears to the agent: python3 opens it (raw mode,
 * like `stty raw`), prints the slave's path, and on request writes a file's bytes into the master
 * (the "receiver" sending), then keeps it open — silent — until stopped.
 */
export interface PtyHandle {
  /** The slave device (e.g. /dev/pts/7): what the agent opens. */
  path: string;
  /** Writes the file byte for byte, then the `trailer` lines (CRLF added); resolves when all is written. */
  send(file: string, trailer?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const SCRIPT = `
import os, pty, sys, tty
m, s = pty.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
for line in sys.stdin:
    cmd = line.rstrip('\\n')
    if cmd == 'quit':
        break
    path, *trailer = cmd.split('\\t')
    data = open(path, 'rb').read() + b''.join((t + '\\r\\n').encode() for t in trailer if t)
    view = memoryview(data)
    while view:
        n = os.write(m, view)
        view = view[n:]
    print('sent', flush=True)
`;

export async function openPty(): Promise<PtyHandle> {
  if (!existsSync('/usr/bin/python3')) throw new Error('/usr/bin/python3 is needed to open a pty');
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const path = await next();
  return {
    path,
    async send(file, trailer = []) {
      const done = next();
      child.stdin?.write(`${[file, ...trailer].join('\t')}\n`);
      await done;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end('quit\n');
        await exited;
      }
    },
  };
}
