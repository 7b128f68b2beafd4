import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness, getPriority, setPriority } from 'node:os';
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
 * win that CPU less often; one already running still finishes its slice unless the event loop
 * has a short slice of its own (requestSchedulerSlice below, which is what made the difference;
 * SCHED_IDLE helpers were tried as well and were not clearly better). Threads that already run lower
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

/** Scheduler slice the hub asks for its event loop, in µs: the kernel's minimum (0.1 ms). */
export const EVENT_LOOP_SLICE_US = 100;
/** Linux clamps a custom slice to 0.1–100 ms. */
const SLICE_RANGE_US = [100, 100_000] as const;

export type SliceResult = { applied: true; sliceUs: number } | { applied: false; reason: string };

/** sched_setattr and sched_getattr by Node's process.arch (glibc 2.36 has no wrappers). */
const SCHED_ATTR_SYSCALLS: Partial<Record<string, readonly [set: number, get: number]>> = {
  x64: [314, 315],
  arm64: [274, 275], // Raspberry Pi OS 64-bit
  arm: [380, 381], // Raspberry Pi OS 32-bit
  ia32: [351, 352],
  riscv64: [274, 275],
  loong64: [274, 275],
  ppc64: [355, 356],
};
const SCHED_OTHER = 0;
const SCHED_BATCH = 3;
const ATTR_SIZE = 48; // struct sched_attr, SCHED_ATTR_SIZE_VER0

type Syscall = (nr: number, ...typedArgs: unknown[]) => number;
let libc: { syscall: Syscall; errno: () => number } | string | undefined;

/** koffi and libc, loaded once on first use; a string says why they could not be. */
function loadLibc(): { syscall: Syscall; errno: () => number } | string {
  if (libc !== undefined) return libc;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libc.so.6');
    libc = { syscall: lib.func('long syscall(long nr, ...)') as Syscall, errno: () => koffi.errno() };
  } catch (err) {
    libc = `no libc.so.6 through koffi (${(err as Error).message.split('\n')[0]})`;
  }
  return libc;
}

/**
 * Asks Linux (6.12 and later, the EEVDF scheduler) for a short scheduler slice on one thread —
 * by default the calling one, i.e. the hub's event loop. A task with a short slice gets an early
 * virtual deadline, so when it wakes up (an SOS arrived on its socket) the scheduler runs it
 * instead of letting whatever holds the CPU finish its own 1.4–3 ms slice; it gets no larger
 * share of the CPU (its weight, the nice value, is unchanged) and needs no privilege. This is a
 * latency hint, not a priority boost: the thread runs sooner and in shorter stretches.
 *
 * Leaves a thread alone whose policy is not SCHED_OTHER or SCHED_BATCH (an operator who set
 * SCHED_FIFO or SCHED_IDLE meant it). Returns what the kernel now says the slice is, or why it
 * was not applied: not Linux, an architecture without known syscall numbers, no koffi or libc
 * (musl), a refusal (seccomp, EPERM), or a kernel older than 6.12 that ignores the field.
 */
export function requestSchedulerSlice(sliceUs = EVENT_LOOP_SLICE_US, tid = 0): SliceResult {
  if (process.platform !== 'linux') return { applied: false, reason: 'not Linux' };
  const nrs = SCHED_ATTR_SYSCALLS[process.arch];
  if (!nrs) return { applied: false, reason: `no sched_setattr syscall number for ${process.arch}` };
  const c = loadLibc();
  if (typeof c === 'string') return { applied: false, reason: c };
  const le = endianness() === 'LE';
  const attr = new DataView(new ArrayBuffer(ATTR_SIZE));
  const get = (): string | undefined =>
    c.syscall(nrs[1], 'int', tid, 'void *', attr.buffer, 'unsigned int', ATTR_SIZE, 'unsigned int', 0) === 0
      ? undefined
      : `sched_getattr failed (errno ${c.errno()})`;
  const failed = get();
  if (failed) return { applied: false, reason: failed };
  const policy = attr.getUint32(4, le);
  if (policy !== SCHED_OTHER && policy !== SCHED_BATCH)
    return {
      applied: false,
      reason: `scheduling policy ${policy} is not SCHED_OTHER/SCHED_BATCH: left alone`,
    };
  const nice = attr.getInt32(16, le); // kept: sched_setattr sets the nice value too
  const wantUs = Math.min(Math.max(Math.round(sliceUs), SLICE_RANGE_US[0]), SLICE_RANGE_US[1]);
  const next = new DataView(new ArrayBuffer(ATTR_SIZE));
  next.setUint32(0, ATTR_SIZE, le);
  next.setUint32(4, policy, le);
  next.setInt32(16, nice, le);
  next.setBigUint64(24, BigInt(wantUs) * 1000n, le); // sched_runtime: the slice, in ns
  if (c.syscall(nrs[0], 'int', tid, 'void *', next.buffer, 'unsigned int', 0) !== 0)
    return { applied: false, reason: `sched_setattr refused (errno ${c.errno()})` };
  const reread = get();
  if (reread) return { applied: false, reason: reread };
  const gotUs = Number(attr.getBigUint64(24, le) / 1000n);
  return gotUs === wantUs
    ? { applied: true, sliceUs: gotUs }
    : {
        applied: false,
        reason: 'this kernel ignores a custom slice for SCHED_OTHER (Linux 6.12 or later has it)',
      };
}
