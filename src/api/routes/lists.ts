/** GET /v1/lists, GET /v1/lists/:id and DELETE /v1/lists/:id. */
import type { FastifyInstance } from 'fastify';
import type { ListMeta } from '../../pipeline/list-store.ts';
import { estimateFinish, type ListProgress, listProgress } from '../../pipeline/progress.ts';
import { tenantOf } from '../auth.ts';
import { apiError } from '../errors.ts';
import { purgeList } from '../purge-list.ts';
import { requireList } from '../require-list.ts';
import { errors, listDetailSchema, listIdParams, listIndexSchema } from '../schemas.ts';

interface IdParams {
  id: string;
}

function listSummary(meta: ListMeta) {
  return { id: meta.id, name: meta.name, status: meta.status, created_at: meta.createdAt };
}

export async function listRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.get<{ Querystring: { limit: number } }>(
    '/lists',
    {
      schema: {
        summary: "The caller's lists, newest first",
        tags: ['lists'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['lists'],
            properties: { lists: { type: 'array', items: listIndexSchema } },
          },
          ...errors(400, 401, 429),
        },
      },
    },
    async (request) => {
      const tenant = tenantOf(request);
      const ids = await rt.lists.idsOf(tenant, request.query.limit);
      const metas = await Promise.all(ids.map((id) => rt.lists.get(id)));
      const own = metas.filter((meta): meta is ListMeta => meta?.tenant === tenant);
      return { lists: await Promise.all(own.map(listEntry)) };
    },
  );

  /** A list in the index: what it is, how far it got, and its verdicts once done. */
  async function listEntry(meta: ListMeta) {
    const verified =
      meta.status === 'done' ? meta.unique : await rt.results.count(meta.id, meta.currentRun);
    return {
      ...listSummary(meta),
      progress: { rows: meta.rows, unique: meta.unique, verified: Math.min(verified, meta.unique) },
      by_status: meta.summary?.by_status ?? null,
    };
  }

  app.get<{ Params: IdParams }>(
    '/lists/:id',
    {
      schema: {
        summary: 'A list: status, progress and (once done) its summary',
        tags: ['lists'],
        params: listIdParams,
        response: { 200: listDetailSchema, ...errors(401, 404, 429) },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      return {
        ...listSummary(meta),
        progress: progressJson(await listProgress(rt, meta)),
        column: meta.column,
        summary: meta.summary ?? null,
        updated_at: meta.updatedAt,
        error: meta.error,
      };
    },
  );

  app.delete<{ Params: IdParams }>(
    '/lists/:id',
    {
      schema: {
        summary: 'Delete a list: its files, its results and its hygiene schedule',
        tags: ['lists'],
        params: listIdParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errors(401, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      if (!(await purgeList(rt, meta))) {
        throw apiError(
          'list_busy',
          `A worker is processing the list right now (status ${meta.status}); ` +
            'delete it once GET /v1/lists/:id says done or failed.',
        );
      }
      request.log.info({ list: meta.id }, 'list deleted');
      return reply.code(204).send();
    },
  );
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API's shape of progress: snake_case times as ISO strings. */
function progressJson(progress: ListProgress) {
  const { waiting } = progress;
  return {
    rows: progress.rows,
    unique: progress.unique,
    verified: progress.verified,
    pending: progress.pending,
    greylisted: progress.greylisted,
    waiting: {
      ...waiting.addresses,
      until: iso(waiting.until),
      domains: waiting.domains.map((d) => ({ ...d, until: iso(d.until) })),
    },
    deadline: iso(progress.deadlineAt),
    // The API keeps no rate history: the estimate rests on the waits and the deadline.
    eta: progress.pending === 0 ? null : iso(estimateFinish(progress, null)),
  };
}
