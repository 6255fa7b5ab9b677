/**
 * How far V8 lets the heap grow past what survived the last full GC. Left alone on a big machine
 * it grows up to 4× before collecting, and a streaming pipeline whose live data stay under
 * 150 MB then peaks at 500 MB of RSS (a million-row list with nothing cached), nearly all of it
 * garbage. The flag is read at every GC, so setting it at start-up works without command-line
 * flags (NODE_OPTIONS refuses this one). An explicit --heap-growing-percent wins.
 */
import v8 from 'node:v8';

/** Next full GC when the heap is this much (in %) above what survived the last one. */
export const HEAP_GROWING_PERCENT = 100;

let applied = false;

export function limitHeapGrowth(): void {
  if (applied || process.execArgv.some((arg) => arg.includes('heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  applied = true;
}
