/**
 * Queue names and prefixes. BullMQ keys carry a Redis Cluster hash tag: the pipeline's queues
 * (ingest, probe, the provider pools, aggregate) share `{<REDIS_PREFIX>}`, because a flow's
 * parent and children are touched by one BullMQ script and must sit in one slot; the hygiene
 * and webhook queues, in no flow, get tags of their own and spread over the cluster.
 */
export const QUEUES = {
  ingest: 'ingest',
  probe: 'probe',
  aggregate: 'aggregate',
  /** Scheduled list hygiene: one job scheduler per list, each firing starts a run. */
  hygiene: 'hygiene',
  /** Completion webhooks, retried with backoff. */
  webhook: 'webhook',
} as const;

/** The job scheduler id of a list's hygiene schedule. */
export function hygieneSchedulerId(listId: string): string {
  return `hygiene-${listId}`;
}

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * `namespace`: queues of their own under the same Redis prefix — an in-process `clean` uses one,
 * so it and a `serve`/`worker` sharing the Redis never take each other's jobs, while its lists
 * stay visible to `listclean lists`.
 */
export function bullPrefix(redisPrefix: string, namespace: string | null = null): string {
  return namespace ? `{${redisPrefix}:${namespace}}` : `{${redisPrefix}}`;
}

/** The BullMQ prefix of a queue (see above): its own tag for the queues in no flow. */
export function queuePrefix(
  redisPrefix: string,
  queue: string,
  namespace: string | null = null,
): string {
  const base = namespace ? `${redisPrefix}:${namespace}` : redisPrefix;
  return queue === QUEUES.hygiene || queue === QUEUES.webhook
    ? `{${base}:${queue}}`
    : bullPrefix(redisPrefix, namespace);
}

/** Prefix for listclean's own keys (list metadata, results, caches, throttles). */
export function keyPrefix(redisPrefix: string): string {
  return `${redisPrefix}:`;
}

export const storageKeys = {
  input: (listId: string) => `lists/${listId}/input.csv`,
  /** The latest run's reports: what `GET /v1/lists/:id/reports/:kind` serves. */
  output: (listId: string, file: string) => `lists/${listId}/${file}`,
  /** Every run's reports, kept per run (hygiene adds changes.csv). */
  runOutput: (listId: string, runId: string, file: string) =>
    `lists/${listId}/runs/${runId}/${file}`,
  /** Reports of what is known so far, made on request while a run is verified. */
  partial: (listId: string, file: string) => `lists/${listId}/partial/${file}`,
  /** A run's SMTP transcripts (`--trace`), kept and removed with the run (src/pipeline/traces.ts). */
  trace: (listId: string, runId: string, name: string) =>
    `lists/${listId}/runs/${runId}/traces/${name}.txt`,
};

/** The first processing of a list; hygiene runs get ids of their own. */
export const INITIAL_RUN = 'initial';
