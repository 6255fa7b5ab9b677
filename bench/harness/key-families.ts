/**
 * What a list run's own keys cost in Redis, by family (MEMORY USAGE summed over a SCAN of the
 * run's prefix), sampled while the list runs: after ingest, at the largest sample (the peak),
 * and at the end. Run from the bench's parent process, so the measured process's RSS is not
 * the sampler's.
 */
import type { Redis } from 'ioredis';

export interface FamilyBytes {
  /** The run's verdicts: the result buckets (and their shapes dictionary). */
  results: number;
  /** The list's last status per address (changes.csv of the next run). */
  statuses: number;
  /** Everything else of the list: metadata, runs, waiting, blocked. */
  listOther: number;
  /** BullMQ: the flow's jobs, queues, events. */
  bullmq: number;
  /** Verdict-cache keys in this Redis (none when the cache has its own). */
  cache: number;
  /** Catch-all answers, gates, metrics. */
  other: number;
}

export function familyTotal(f: FamilyBytes): number {
  return f.results + f.statuses + f.listOther + f.bullmq + f.cache + f.other;
}

export async function familyBytes(redis: Redis, prefix: string): Promise<FamilyBytes> {
  const bytes: FamilyBytes = {
    results: 0,
    statuses: 0,
    listOther: 0,
    bullmq: 0,
    cache: 0,
    other: 0,
  };
  const kindOf = (key: string): keyof FamilyBytes => {
    if (key.startsWith(`{${prefix}}`)) return 'bullmq';
    if (key.startsWith(`${prefix}:verdict:`)) return 'cache';
    if (!key.startsWith(`${prefix}:list`)) return 'other';
    if (/:run:[^:]+:(results(:\d+)?|shapes)$/.test(key)) return 'results';
    if (/:statuses(:\d+)?$/.test(key)) return 'statuses';
    return 'listOther';
  };
  for (const match of [`{${prefix}}*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 2000);
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      const answers = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        bytes[kindOf(key)] += Number(answers[i]?.[1] ?? 0);
      });
      cursor = next;
    } while (cursor !== '0');
  }
  return bytes;
}

export interface FamilySamples {
  afterIngest: FamilyBytes | null;
  peak: FamilyBytes | null;
  end: FamilyBytes | null;
  samples: number;
}

/**
 * Samples every `everyMs` until stopped: the first sample once the list's meta says `ingested`,
 * and the sample with the largest total. `end()` takes the last one.
 */
export function sampleFamilies(
  redis: Redis,
  prefix: string,
  metaKey: string,
  everyMs = 3000,
): { end(): Promise<FamilySamples> } {
  const result: FamilySamples = { afterIngest: null, peak: null, end: null, samples: 0 };
  let stopped = false;
  const take = async (): Promise<FamilyBytes> => {
    const bytes = await familyBytes(redis, prefix);
    result.samples += 1;
    if (!result.peak || familyTotal(bytes) > familyTotal(result.peak)) result.peak = bytes;
    return bytes;
  };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      const ingested = (await redis.hget(metaKey, 'ingested')) === '1';
      const bytes = await take();
      if (ingested && !result.afterIngest) result.afterIngest = bytes;
      const left = everyMs - (Date.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  })();
  let ending: Promise<FamilySamples> | null = null;
  return {
    end() {
      stopped = true;
      ending ??= loop.then(async () => {
        result.end = await take();
        return result;
      });
      return ending;
    },
  };
}
