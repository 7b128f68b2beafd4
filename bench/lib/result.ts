/** Shared by every benchmark: the result row and the table printer live in bench/run.ts. */
export type { BenchResult } from '../run.ts';
export { formatTable } from '../run.ts';

/** True when the module at `metaUrl` is the script node was started with (run directly, not imported). */
export const isMain = (metaUrl: string): boolean => metaUrl === `file://${process.argv[1]}`;
