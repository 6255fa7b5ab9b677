/**
 * Open SMTP sessions in a sandbox world, sampled every 10 ms until stopped: the peak across every
 * host, and one host's open sessions averaged over each second (the child's start-up before
 * submit included).
 */
import type { SandboxWorld } from '../../src/sandbox/index.ts';

const SAMPLE_MS = 10;
const SAMPLES_PER_SECOND = 1000 / SAMPLE_MS;

export interface SessionSamples {
  peak: number;
  /** `host`'s open sessions, averaged per second. */
  hostPerSecond: number[];
}

export function sampleSessions(world: SandboxWorld, host: string): () => SessionSamples {
  let peak = 0;
  const open: number[] = [];
  const timer = setInterval(() => {
    let all = 0;
    for (const stats of Object.values(world.allStats())) all += stats.currentSessions;
    peak = Math.max(peak, all);
    open.push(world.stats(host).currentSessions);
  }, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    const hostPerSecond: number[] = [];
    for (let i = 0; i < open.length; i += SAMPLES_PER_SECOND) {
      const second = open.slice(i, i + SAMPLES_PER_SECOND);
      hostPerSecond.push(second.reduce((a, b) => a + b, 0) / second.length);
    }
    return { peak, hostPerSecond };
  };
}
