/**
 * POST /v1/verify and GET /v1/verify/:id (DESIGN §5): up to 100 addresses verified in this
 * process by the code path of `listclean verify`, answered after `wait` with whatever is final
 * then; the rest goes on in the background and is fetched with GET (from any API process: the
 * batch lives in Redis for a day). A batch whose process stopped before finishing it answers its
 * pending addresses `unknown / timeout` (rule `verification-interrupted`) once its lease lapses.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { REASON_STATUS } from '../../verdict/types.ts';
import { type BatchDeps, VerificationBatch } from '../../verify/verification-batch.ts';
import {
  batchState,
  interruptedResult,
  isPending,
  VerificationStore,
  type VerifyEntry,
} from '../../verify/verification-store.ts';
import { INTERACTIVE_TRANSIENT_RETRY } from '../../verify/verify-addresses.ts';
import { tenantOf } from '../auth.ts';
import { apiError } from '../errors.ts';
import {
  errors,
  listIdParams,
  VERIFY_MAX_ADDRESSES,
  verifyBatchSchema,
  verifyBodySchema,
  verifyQuerySchema,
} from '../schemas.ts';

export const DEFAULT_WAIT_MS = 20_000;
export const MAX_WAIT_MS = 60_000;
/** Domains of one batch verified at once (as `listclean verify`'s default). */
const CONCURRENCY = 16;
/** How long closing the server waits for stopped verifications to put their sessions down. */
const CLOSE_WAIT_MS = 5000;

interface VerifyBody {
  email?: string;
  emails?: string[];
  wait?: string;
}

/** `20s`, `500ms`, `1m`; a bare number is seconds. */
export function parseWait(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_MS;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  const unit = { ms: 1, s: 1000, m: 60_000 }[m?.[2] ?? 's'];
  const ms = m && unit ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!(ms >= 0 && ms <= MAX_WAIT_MS)) {
    throw apiError(
      'invalid_request',
      `wait must be a duration from 0 to 60s (e.g. 500ms, 20s, 1m), got "${text}".`,
    );
  }
  return ms;
}

export async function verifyRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  const store = new VerificationStore(rt.redis, { prefix: rt.prefix });
  const deps: BatchDeps = {
    // The runtime's context: provider throttles, catch-all answers and breakers shared (in
    // Redis) with the workers and every other API process.
    ctx: rt.round,
    retry: {
      greylistDelaysMs: rt.config.GREYLIST_RETRY_DELAYS,
      waitForGreylist: true,
      ...INTERACTIVE_TRANSIENT_RETRY,
    },
    concurrency: CONCURRENCY,
    store,
    log: rt.log,
    // A fresh conclusive cached verdict answers at once; unknowns are always asked again.
    cached: async (addresses) => {
      const found = await rt.cache.get(addresses, { maxAgeMs: rt.config.CACHE_MAX_AGE });
      return new Map([...found].filter(([, v]) => REASON_STATUS[v.reason] !== 'unknown'));
    },
    remember: (address, verdict) => rt.cache.set([[address, verdict]]),
  };
  const shutdown = new AbortController();
  const running = new Set<VerificationBatch>();
  // Closing: requests waiting for verdicts answer at once, background verifications stop (their
  // pending addresses are then reported interrupted), and their last sessions get a moment.
  app.addHook('preClose', async () => {
    shutdown.abort();
  });
  app.addHook('onClose', async () => {
    await Promise.race([
      Promise.all([...running].map((batch) => batch.finished)),
      sleep(CLOSE_WAIT_MS, undefined, { ref: false }),
    ]);
  });

  app.post<{ Body: VerifyBody; Querystring: { wait?: string } }>(
    '/verify',
    {
      bodyLimit: 64 * 1024,
      config: { accepts: ['application/json'] },
      schema: {
        summary: 'Verify one address or up to 100, waiting up to `wait` for the verdicts',
        description:
          'Answers 200 when every address has a final verdict, else 202 with the id to ' +
          'GET later (Location header); addresses not final yet are `pending` and keep being ' +
          'verified (greylisting retries included). An address that is not valid (even one ' +
          'with CR/LF in it) gets the verdict `undeliverable / invalid_syntax`, not an error.',
        tags: ['verify'],
        querystring: verifyQuerySchema,
        body: verifyBodySchema,
        response: {
          200: verifyBatchSchema,
          202: verifyBatchSchema,
          ...errors(400, 401, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { email, emails, wait } = request.body;
      if ((email === undefined) === (emails === undefined)) {
        throw apiError(
          'invalid_request',
          `Send either {"email": "…"} or {"emails": ["…", …]} (up to ${VERIFY_MAX_ADDRESSES}).`,
        );
      }
      const waitMs = parseWait(wait ?? request.query.wait);
      const batch = new VerificationBatch(
        randomUUID(),
        tenantOf(request),
        emails ?? [email ?? ''],
        deps,
        shutdown.signal,
      );
      running.add(batch);
      void batch.finished.then(() => running.delete(batch));
      await batch.settled(waitMs);
      let state: Awaited<ReturnType<VerificationBatch['publish']>>;
      try {
        state = await batch.publish();
      } catch (error) {
        batch.stop();
        throw error;
      }
      request.log.info(
        { verification: state.id, addresses: state.results.length, pending: state.pending },
        'verification answered',
      );
      if (state.status === 'done') return state;
      return reply.code(202).header('location', `/v1/verify/${state.id}`).send(state);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/verify/:id',
    {
      schema: {
        summary: 'A verification: final verdicts so far and the addresses still pending',
        tags: ['verify'],
        params: listIdParams,
        response: { 200: verifyBatchSchema, ...errors(401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const stored = await store.get(id);
      if (stored === null || stored.tenant !== tenantOf(request)) {
        throw apiError(
          'verification_not_found',
          `No verification ${id}. Ids come from POST /v1/verify and are kept for a day.`,
        );
      }
      const { state } = stored;
      if (state.pending === 0 || stored.alive) return state;
      // Nobody is verifying what is still pending (its process stopped): final now, and stored
      // so every later answer agrees.
      const now = new Date();
      const changed: Array<[number, VerifyEntry]> = [];
      const results = state.results.map((entry, index) => {
        if (!isPending(entry)) return entry;
        const final = interruptedResult(entry, now);
        changed.push([index, final]);
        return final;
      });
      await store.put(id, changed);
      return batchState(id, state.created_at, now.toISOString(), results);
    },
  );
}
