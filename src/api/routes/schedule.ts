/** PUT/GET/DELETE /v1/lists/:id/schedule: a list's hygiene schedule (BullMQ job scheduler). */
import type { FastifyInstance } from 'fastify';
import { isListcleanError } from '../../errors.ts';
import {
  DEFAULT_CRON,
  DEFAULT_TIMEZONE,
  getSchedule,
  removeSchedule,
  scheduleJson,
  setSchedule,
} from '../../pipeline/schedule.ts';
import { apiError } from '../errors.ts';
import { requireList } from '../require-list.ts';
import { errors, listIdParams } from '../schemas.ts';

const scheduleSchema = {
  type: 'object',
  required: ['cron', 'timezone', 'next_run'],
  properties: {
    cron: { type: 'string' },
    timezone: { type: 'string' },
    next_run: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const toBody = scheduleJson;

export async function scheduleRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.put<{ Params: { id: string }; Body: { cron?: string; timezone?: string } | undefined }>(
    '/lists/:id/schedule',
    {
      schema: {
        summary: 'Schedule list hygiene',
        description:
          `Re-verifies the stored list on a cron (default ${DEFAULT_CRON}, ${DEFAULT_TIMEZONE}; ` +
          '6 fields = with seconds). Fresh cached verdicts are reused; each run adds changes.csv.',
        tags: ['hygiene'],
        params: listIdParams,
        body: {
          type: ['object', 'null'],
          properties: {
            cron: { type: 'string', maxLength: 200 },
            timezone: { type: 'string', maxLength: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: scheduleSchema, ...errors(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      try {
        const schedule = await setSchedule(
          rt,
          meta.id,
          request.body?.cron ?? DEFAULT_CRON,
          request.body?.timezone ?? DEFAULT_TIMEZONE,
        );
        return toBody(schedule);
      } catch (error) {
        if (
          isListcleanError(error) &&
          (error.code === 'invalid_cron' || error.code === 'invalid_timezone')
        ) {
          throw apiError(error.code, error.message);
        }
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/lists/:id/schedule',
    {
      schema: {
        summary: 'Show the hygiene schedule',
        tags: ['hygiene'],
        params: listIdParams,
        response: { 200: scheduleSchema, ...errors(401, 404, 429) },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      const schedule = await getSchedule(rt, meta.id);
      if (!schedule) {
        throw apiError('no_schedule', `List ${meta.id} has no schedule; PUT one to create it.`);
      }
      return toBody(schedule);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/lists/:id/schedule',
    {
      schema: {
        summary: 'Remove the hygiene schedule',
        tags: ['hygiene'],
        params: listIdParams,
        response: { 204: { type: 'null', description: 'Removed.' }, ...errors(401, 404, 429) },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      if (!(await removeSchedule(rt, meta.id))) {
        throw apiError('no_schedule', `List ${meta.id} has no schedule.`);
      }
      return reply.code(204).send();
    },
  );
}
