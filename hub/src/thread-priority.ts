import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** Nice value of the hub's background threads (telemetry writes, checkpoints, V8's helpers). */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the scheduling priority of the calling thread only: on Linux a thread is a task with
 * its own nice value, and setpriority(PRIO_PROCESS, 0) — what os.setPriority(0, …) calls —
 * applies to the calling task. So background writers yield the CPU to the event loop that acks
 * devices and pages SOS whenever both want it. Elsewhere (or when refused) it changes nothing.
 */
export function lowerThisThreadsPriority(nice = BACKGROUND_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    setPriority(0, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * Lowers every thread of this process except the main one (the event loop) to `nice`, for the
 * same reason: V8's platform workers (background JIT compiles, concurrent marking and sweeping),
 * libuv's pool and the inspector's thread otherwise take the CPU the event loop is queued on
 * for a scheduler slice (2–5 ms under `perf sched`) while it is paging an SOS. At nice 10 they
 * win that CPU less often; one already running still finishes its slice (SCHED_IDLE would not,
 * but Node has no call for it and it was not clearly better). Threads that already run lower
 * (or were started nicer, like the telemetry writer) are left alone; threads started later keep
 * their own priority.
 * Only from the main thread, only on Linux (/proc/self/task). Returns how many threads it lowered.
 */
export function lowerHelperThreadsPriority(nice = BACKGROUND_NICE): number {
  if (process.platform !== 'linux' || !isMainThread) return 0;
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    if (tid === process.pid) continue; // the main thread's task id is the process id
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      lowered++;
    } catch {
      // the thread ended meanwhile, or the system refused: leave it
    }
  }
  return lowered;
}
