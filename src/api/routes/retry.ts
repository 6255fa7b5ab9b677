/** POST /v1/lists/:id/retry: a failed list runs again, only what failed (src/pipeline/retry.ts). */
import type { FastifyInstance } from 'fastify';
import { retryList } from '../../pipeline/retry.ts';
import { requireList } from '../require-list.ts';
import { errors, listIdParams } from '../schemas.ts';

interface IdParams {
  id: string;
}

export async function retryRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  app.post<{ Params: IdParams }>(
    '/lists/:id/retry',
    {
      schema: {
        summary: 'Re-run a failed list',
        description:
          'When verification had finished and only writing the reports failed (storage away ' +
          'longer than OUTAGE_RETRY_WINDOW), the aggregate runs again over the recorded ' +
          'verdicts (mode aggregate); otherwise the run starts over, reusing cached verdicts ' +
          '(mode run). 409 list_not_failed for a list that has not failed.',
        tags: ['lists'],
        params: listIdParams,
        response: {
          202: {
            type: 'object',
            required: ['id', 'status', 'mode'],
            properties: {
              id: { type: 'string' },
              status: { type: 'string' },
              mode: { type: 'string', enum: ['aggregate', 'run'] },
            },
          },
          ...errors(401, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      const mode = await retryList(rt, meta.id);
      const now = await rt.lists.require(meta.id);
      return reply
        .code(202)
        .header('location', `/v1/lists/${meta.id}`)
        .send({ id: meta.id, status: now.status, mode });
    },
  );
}
