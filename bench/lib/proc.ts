import { readdirSync, readFileSync } from 'node:fs';

/** Linux only: clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every common kernel). */
const USER_HZ = 100;

/** The pid of a running process whose command line contains `needle` (e.g. a temp config path), if any. */
export function findPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // the process went away while we looked
    }
  }
  return undefined;
}

/** User + system CPU time a process has used so far, in µs (10 ms resolution). */
export function cpuTimeUs(pid: number): number {
  return statCpuUs(`/proc/${pid}/stat`);
}

/** utime + stime of a /proc stat file, in µs. */
function statCpuUs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15
  return ((Number(fields[11]) + Number(fields[12])) / USER_HZ) * 1e6;
}

/**
 * CPU time (µs, 10 ms resolution) this process's main thread — the event loop — has used so far,
 * apart from V8's helpers, libuv's pool and worker threads (/proc/<pid>/stat sums them all).
 */
export function mainThreadCpuUs(): number {
  return statCpuUs(`/proc/self/task/${process.pid}/stat`);
}
