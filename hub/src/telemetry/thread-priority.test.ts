import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThreadsPriority } from './thread-priority.ts';

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
