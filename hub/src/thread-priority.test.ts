import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority, release, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThreadsPriority, requestSchedulerSlice } from './thread-priority.ts';

describe('lowerThisThreadsPriority', () => {
  it.runIf(process.platform === 'linux')('nices the calling thread only, not the event loop', async () => {
    const before = getPriority(0);
    // what the telemetry worker does, in a plain worker thread
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const os = require('node:os');
       os.setPriority(0, 10);
       parentPort.postMessage(os.getPriority(0));`,
      { eval: true },
    );
    const inWorker = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(inWorker).toBe(10);
    expect(getPriority(0)).toBe(before);
  });

  it.runIf(process.platform === 'linux')('lowers the priority of the thread that calls it', () => {
    const before = getPriority(0);
    try {
      expect(lowerThisThreadsPriority(before + 2)).toBe(true);
      expect(getPriority(0)).toBe(before + 2);
    } finally {
      try {
        setPriority(0, before); // raising it back needs privileges; the test worker ends soon anyway
      } catch {}
    }
  });
});

describe('lowerHelperThreadsPriority', () => {
  // In a process of its own (as the hub runs), so the event loop under test is a real main thread.
  const file = JSON.stringify(fileURLToPath(new URL('./thread-priority.ts', import.meta.url)));
  const script = `
    import { getPriority } from 'node:os';
    import { readdirSync } from 'node:fs';
    import { Worker } from 'node:worker_threads';
    import { lowerHelperThreadsPriority } from ${file};
    const base = getPriority(0);
    const started = (code) => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => resolve([w, m]));
      w.once('error', reject);
    });
    // a worker that already runs lower than the target keeps its own priority
    const [low, lowNice] = await started(\`
      import { setPriority, getPriority } from 'node:os';
      import { parentPort } from 'node:worker_threads';
      setPriority(0, 19);
      parentPort.postMessage(getPriority(0));
      setTimeout(() => {}, 5000);\`);
    // called from a worker thread, it does nothing
    const [inner, fromWorker] = await started(\`
      import { parentPort } from 'node:worker_threads';
      const { register } = await import('tsx/esm/api');
      register();
      const m = await import(${file});
      parentPort.postMessage(m.lowerHelperThreadsPriority(15));\`);
    await inner.terminate();
    const lowered = lowerHelperThreadsPriority(base + 5);
    const again = lowerHelperThreadsPriority(base + 5);
    const nices = Object.fromEntries(readdirSync('/proc/self/task').map((t) => [t, getPriority(Number(t))]));
    console.log(JSON.stringify({ pid: process.pid, base, lowNice, fromWorker, lowered, again, nices }));
    await low.terminate();
  `;
  it.runIf(process.platform === 'linux')(
    'lowers every thread but the event loop, once, and never raises one',
    () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      });
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        pid: number;
        base: number;
        lowNice: number;
        fromWorker: number;
        lowered: number;
        again: number;
        nices: Record<string, number>;
      };
      const target = r.base + 5;
      expect(r.fromWorker).toBe(0); // from a worker thread: nothing
      expect(r.nices[String(r.pid)]).toBe(r.base); // the event loop keeps its priority
      const helpers = Object.entries(r.nices)
        .filter(([tid]) => Number(tid) !== r.pid)
        .map(([, nice]) => nice);
      expect(helpers.length).toBeGreaterThanOrEqual(4); // V8's platform workers at least, and the worker
      expect(r.lowered).toBeGreaterThanOrEqual(3);
      expect(r.again).toBe(0); // nothing left to lower
      for (const nice of helpers) expect(nice).toBeGreaterThanOrEqual(target);
      expect(r.lowNice).toBe(19);
      expect(helpers).toContain(19); // the worker's own 19 stays, not raised to the target
    },
  );
});

describe('requestSchedulerSlice', () => {
  // Custom slices for SCHED_OTHER came with Linux 6.12; older kernels get the reason instead.
  const [major = 0, minor = 0] = (process.platform === 'linux' ? release() : '0.0').split('.').map(Number);
  const customSlices = process.platform === 'linux' && (major > 6 || (major === 6 && minor >= 12));
  /** The kernel's own account of a task's slice (ns), not our read-back through sched_getattr. */
  const procSlice = (pid: number) =>
    Number(/^se\.slice\s*:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/sched`, 'utf8'))?.[1]);
  const run = (script: string, wrap: string[] = []) => {
    const file = JSON.stringify(fileURLToPath(new URL('./thread-priority.ts', import.meta.url)));
    const argv = [process.execPath, '--import', 'tsx', '--input-type=module', '-e'];
    const code = `import { requestSchedulerSlice } from ${file};
      import { readFileSync } from 'node:fs';
      import { getPriority } from 'node:os';
      const field = (name) => Number(new RegExp('^' + name + '\\\\s*:\\\\s*(\\\\d+)', 'm').exec(readFileSync('/proc/self/sched', 'utf8'))?.[1]);
      const slice = () => field('se\\\\.slice');
      ${script}`;
    const [bin, ...args] = [...wrap, ...argv, code];
    const out = execFileSync(bin!, args, {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  };

  it.runIf(customSlices)('gives the calling thread a short slice, keeping its nice value', () => {
    // in a process of its own under nice 3, as a hub started by `nice -n 3` would be
    const r = run(
      `const before = slice();
       const asked = requestSchedulerSlice(100);
       const clampedLow = requestSchedulerSlice(20);
       const after = slice();
       const big = requestSchedulerSlice(250_000);
       console.log(JSON.stringify({ before, asked, clampedLow, after, big, bigSlice: slice(), nice: getPriority(0) }));`,
      ['nice', '-n', '3'],
    );
    expect(r.asked).toEqual({ applied: true, sliceUs: 100 });
    expect(r.before).toBeGreaterThan(100_000); // the kernel's default is longer
    expect(r.after).toBe(100_000); // what /proc says, not what the function says
    expect(r.clampedLow).toEqual({ applied: true, sliceUs: 100 }); // 0.1 ms is the kernel's floor
    expect(r.big).toEqual({ applied: true, sliceUs: 100_000 }); // and 100 ms its ceiling
    expect(r.bigSlice).toBe(100_000_000);
    expect(r.nice).toBe(3); // sched_setattr also sets nice: it must not reset it to 0
  });

  it.runIf(customSlices)(
    'is what the hub asks for its event loop at start, and says so in its start line',
    () => {
      const hubStart = (sliceUs: number | false) =>
        run(
          `const { createHub } = await import(${JSON.stringify(fileURLToPath(new URL('./hub.ts', import.meta.url)))});
         const { createLogger } = await import(${JSON.stringify(fileURLToPath(new URL('./log.ts', import.meta.url)))});
         const { mkdtempSync, rmSync } = await import('node:fs');
         const { tmpdir } = await import('node:os');
         const lines = [];
         const log = createLogger({ level: 'info', destination: { write: (l) => lines.push(JSON.parse(l)) } });
         const dataDir = mkdtempSync(tmpdir() + '/sl-slice-');
         const before = slice();
         // (the telemetry writer stays on this thread: a worker would inherit -e's --input-type)
         const hub = createHub({ dataDir, host: '127.0.0.1', mqttPort: 0, httpPort: 0, log, eventLoopSliceUs: ${sliceUs}, telemetry: { adapter: 'sqlite', thread: false } });
         await hub.start();
         const after = slice();
         await hub.close();
         rmSync(dataDir, { recursive: true, force: true });
         console.log(JSON.stringify({ before, after, running: lines.find((l) => l.msg === 'hub running') }));`,
        );
      const asked = hubStart(300);
      expect(asked.after).toBe(300_000);
      expect(asked.before).not.toBe(300_000);
      expect(asked.running.eventLoopSlice).toBe('300 µs');
      const off = hubStart(false);
      expect(off.after).toBe(off.before); // left to the kernel
      expect(off.running).toBeDefined();
      expect(off.running.eventLoopSlice).toBeUndefined();
    },
  );

  it.runIf(customSlices)('sets another task of the same user by its id', async () => {
    const { spawn } = await import('node:child_process');
    const sleeper = spawn('sleep', ['30']);
    try {
      const before = procSlice(sleeper.pid!);
      const r = requestSchedulerSlice(300, sleeper.pid!);
      expect(r).toEqual({ applied: true, sliceUs: 300 });
      expect(before).not.toBe(300_000);
      expect(procSlice(sleeper.pid!)).toBe(300_000);
    } finally {
      sleeper.kill();
    }
  });

  it.runIf(process.platform === 'linux')(
    'leaves a thread alone that an operator put under another policy',
    () => {
      const r = run(
        `const before = field('policy');
       console.log(JSON.stringify({ before, r: requestSchedulerSlice(100), after: field('policy') }));`,
        ['chrt', '--idle', '0'],
      );
      expect(r.r.applied).toBe(false);
      expect(r.r.reason).toMatch(/policy 5 .*left alone/);
      expect(r.before).toBe(5); // SCHED_IDLE, as chrt set it…
      expect(r.after).toBe(5); // …and still, not turned into SCHED_OTHER with a short slice
    },
  );

  it.runIf(process.platform === 'linux' && !customSlices)(
    'says why on a kernel without custom slices',
    () => {
      const r = requestSchedulerSlice(100);
      expect(r).toMatchObject({ applied: false, reason: expect.stringMatching(/6\.12/) });
    },
  );

  it('reports a task that does not exist instead of throwing', () => {
    const r = requestSchedulerSlice(100, 2 ** 22 + 12_345); // above pid_max's default ceiling
    expect(r.applied).toBe(false);
    if (process.platform === 'linux') expect(r).toMatchObject({ reason: expect.stringMatching(/errno 3\b/) }); // ESRCH
  });
});
