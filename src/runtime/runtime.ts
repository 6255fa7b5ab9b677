/**
 * Everything a pipeline process needs, built once from the configuration: Redis, storage, every
 * queue (the webhook queue included), the stores and the verification context whose throttles
 * and catch-all answers live in Redis (so they hold across every worker process). The pipeline,
 * metrics, webhooks and the API depend on it; it depends on none of them, only on the stores.
 */
import { FlowProducer, Queue } from 'bullmq';
import type { RawConfig } from '../config/env.ts';
import { RedisEgressCooldown } from '../egress/cooldown.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { MetricsRecorder } from '../metrics/recorder.ts';
import { ListStore } from '../pipeline/list-store.ts';
import { bullPrefix, keyPrefix, QUEUES, queuePrefix } from '../pipeline/names.ts';
import { type ProbePool, probePools } from '../policy/pools.ts';
import type { RedisClient } from '../redis/connect.ts';
import {
  createRedis,
  ListResults,
  openCacheRedis,
  RedisCatchAllStore,
  VerdictCache,
} from '../redis/index.ts';
import { createStorage, type Storage } from '../storage/index.ts';
import { RedisProviderBreaker, RedisSessionGate } from '../throttle/index.ts';
import { createRoundContext } from '../verify/context.ts';
import { probeWaitMs, type RoundContext } from '../verify/domain-round.ts';
import type { RetryPolicy } from '../verify/retry-plan.ts';
import type { WebhookJobData } from '../webhook/types.ts';
import { limitHeapGrowth } from './heap.ts';

export interface RuntimeOptions {
  /** Where the runtime and the workers log (default: JSON lines at LOG_LEVEL on stderr). */
  log?: Logger;
  /**
   * How long a job of the shared probe queue may wait for a throttled provider before it is
   * re-queued as delayed (its slot could serve another provider meanwhile).
   */
  maxGateWaitMs?: number;
  /**
   * Queues of their own (see bullPrefix): the runtime's queues and workers see only jobs made in
   * the same namespace. Null (default): the deployment's shared queues.
   */
  queueNamespace?: string | null;
}

/**
 * A pool job waits this long for its provider's gate before stepping aside: its slot serves
 * only that provider, so waiting costs nobody else (the gate is fuller than the pool only while
 * the adaptive throttle has lowered the provider's limits, or a crashed worker's lease lingers).
 */
const POOL_GATE_WAIT_MS = 30_000;

/** A provider's probe queue (see src/policy/pools.ts). */
export interface PoolQueue extends ProbePool {
  bull: Queue;
}

export interface Runtime {
  config: RawConfig;
  redis: RedisClient;
  /** Prefix of listclean's own keys. */
  prefix: string;
  /** BullMQ prefix of the pipeline's queues (with the cluster hash tag); see queuePrefix. */
  bullPrefix: string;
  /** The BullMQ prefix of any of the runtime's queues, its namespace included. */
  queuePrefixOf(queue: string): string;
  storage: Storage;
  lists: ListStore;
  results: ListResults;
  cache: VerdictCache;
  gate: RedisSessionGate;
  log: Logger;
  /** Counters for /metrics, kept in Redis so one scrape sees every worker's work. */
  metrics: MetricsRecorder;
  round: RoundContext;
  /** The same context with the pool jobs' patient gate. */
  poolRound: RoundContext;
  /** One queue per provider pool of the policy; everything else goes to `queues.probe`. */
  pools: PoolQueue[];
  retry: RetryPolicy;
  queues: {
    ingest: Queue;
    probe: Queue;
    aggregate: Queue;
    hygiene: Queue;
    /** Completion webhooks, retried with backoff (src/webhook/). */
    webhook: Queue<WebhookJobData>;
  };
  flow: FlowProducer;
  close(): Promise<void>;
}

export async function createRuntime(
  config: RawConfig,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  // Every process that runs the pipeline (CLI, workers, API, embedders) keeps its heap tight.
  limitHeapGrowth();
  const prefix = keyPrefix(config.REDIS_PREFIX);
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL });
  const redis = await createRedis(config.REDIS_URL, { prefix });
  reportOutages(redis, log, 'Redis');
  const cacheRedis = config.REDIS_CACHE_URL ? openCacheRedis(config.REDIS_CACHE_URL, prefix) : null;
  if (cacheRedis)
    reportOutages(cacheRedis, log, 'the verdict cache Redis (misses until it is back)');
  let cacheErrorLogged = 0;
  const storage = createStorage(config);
  const gate = new RedisSessionGate(redis, {
    prefix,
    leaseTtlMs: config.THROTTLE_LEASE_TTL,
    maxWaitMs: options.maxGateWaitMs ?? 2000,
  });
  const round = await createRoundContext(config, {
    gate,
    catchAll: new RedisCatchAllStore(redis, {
      prefix,
      claimTtlMs: probeWaitMs({
        connectMs: config.SMTP_CONNECT_TIMEOUT,
        bannerMs: config.SMTP_BANNER_TIMEOUT,
        commandMs: config.SMTP_COMMAND_TIMEOUT,
      }),
    }),
    breaker: new RedisProviderBreaker(redis, prefix, config.BREAKER_COOLDOWN),
    egressCooldown: new RedisEgressCooldown(redis, prefix, config.EGRESS_COOLDOWN),
  });
  const poolGate = new RedisSessionGate(redis, {
    prefix,
    leaseTtlMs: config.THROTTLE_LEASE_TTL,
    maxWaitMs: POOL_GATE_WAIT_MS,
  });
  const connection = redis;
  const namespace = options.queueNamespace ?? null;
  const bull = bullPrefix(config.REDIS_PREFIX, namespace);
  const queuePrefixOf = (queue: string) => queuePrefix(config.REDIS_PREFIX, queue, namespace);
  const egressNames = round.egresses.map((egress) => egress.name);
  const pools = probePools(round.policy, egressNames).map((pool) => ({
    ...pool,
    bull: new Queue(pool.queue, { connection, prefix: bull }),
  }));
  const queues = {
    ingest: new Queue(QUEUES.ingest, { connection, prefix: bull }),
    probe: new Queue(QUEUES.probe, { connection, prefix: bull }),
    aggregate: new Queue(QUEUES.aggregate, { connection, prefix: bull }),
    hygiene: new Queue(QUEUES.hygiene, {
      connection,
      prefix: queuePrefixOf(QUEUES.hygiene),
    }),
    webhook: new Queue<WebhookJobData>(QUEUES.webhook, {
      connection,
      prefix: queuePrefixOf(QUEUES.webhook),
    }),
  };
  const flow = new FlowProducer({ connection, prefix: bull });
  const rt: Runtime = {
    config,
    log,
    redis,
    prefix,
    bullPrefix: bull,
    queuePrefixOf,
    storage,
    lists: new ListStore(redis, prefix),
    results: new ListResults(redis, { prefix }),
    cache: new VerdictCache(cacheRedis ?? redis, {
      prefix,
      // A failing cache is a slower list, not a broken one: say so, at most once a minute.
      onError: (error) => {
        if (Date.now() - cacheErrorLogged < 60_000) return;
        cacheErrorLogged = Date.now();
        log.warn({ err: error }, 'verdict cache unavailable: lookups are misses for now');
      },
    }),
    gate,
    metrics: new MetricsRecorder(redis, prefix, config.METRICS_PROVIDERS),
    round,
    poolRound: { ...round, gate: poolGate },
    pools,
    retry: {
      greylistDelaysMs: config.GREYLIST_RETRY_DELAYS,
      waitForGreylist: true,
      // Timeouts and refused connections: two more tries, after the first greylisting delay and
      // then twice that (a server that is down now is often back within minutes).
      transientRetries: 2,
      transientBackoffMs: config.GREYLIST_RETRY_DELAYS[0] ?? 300_000,
    },
    queues,
    flow,
    async close() {
      await Promise.allSettled([
        ...Object.values(queues).map((queue) => queue.close()),
        ...pools.map((pool) => pool.bull.close()),
        flow.close(),
      ]);
      await storage.close();
      // Sessions still held (workers stopped after their grace period) lapse after the lease TTL.
      gate.close();
      poolGate.close();
      await redis.quit().catch(() => redis.disconnect());
      if (cacheRedis) await cacheRedis.quit().catch(() => cacheRedis.disconnect());
    },
  };
  return rt;
}

/** After the first connection ioredis reconnects by itself; say so once per outage, not per retry. */
function reportOutages(client: RedisClient, log: Logger, what: string): void {
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) log.warn({ err: error }, `connection problem with ${what}`);
    reported = true;
  });
  client.on('ready', () => {
    if (reported) log.info(`connected again to ${what}`);
    reported = false;
  });
}

/** Every probe queue: the shared one and each provider pool's. */
export function probeQueues(rt: Pick<Runtime, 'queues' | 'pools'>): Queue[] {
  return [rt.queues.probe, ...rt.pools.map((pool) => pool.bull)];
}

/** Every queue: the pipeline's, each provider pool's and the webhook queue. */
export function allQueues(rt: Pick<Runtime, 'queues' | 'pools'>): Queue[] {
  return [...Object.values(rt.queues), ...rt.pools.map((pool) => pool.bull)];
}
