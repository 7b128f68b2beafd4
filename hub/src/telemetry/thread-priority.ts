import { setPriority } from 'node:os';

/** Nice value of the hub's background threads (telemetry writes, checkpoints). */
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
