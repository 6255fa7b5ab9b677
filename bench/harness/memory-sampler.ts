/**
 * Peak RSS and heap of the calling process per phase of whatever it is doing (a list's status in
 * the pipeline driver), sampled every 50 ms and whenever the phase changes.
 */

/** Peak RSS and heap used while in each phase, bytes. */
export type PhaseMemory<P extends string> = Partial<Record<P, { rss: number; heapUsed: number }>>;

export interface MemorySampler<P extends string> {
  /** The process is now in `phase` (samples once more on a change). */
  phase(phase: P): void;
  /** Stops sampling and returns the peaks. */
  stop(): PhaseMemory<P>;
}

const SAMPLE_MS = 50;

export function memorySampler<P extends string>(initial: P): MemorySampler<P> {
  const peaks: PhaseMemory<P> = {};
  let current: P = initial;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    const peak = peaks[current] ?? { rss: 0, heapUsed: 0 };
    peaks[current] = { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) };
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    phase(phase) {
      if (phase !== current) sample();
      current = phase;
    },
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
