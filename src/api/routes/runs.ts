/** GET /v1/lists/:id/runs and a run's reports: the first processing and every hygiene run. */
import type { FastifyInstance } from 'fastify';
import type { ListMeta, RunRecord } from '../../pipeline/list-store.ts';
import { storageKeys } from '../../pipeline/names.ts';
import { apiError } from '../errors.ts';
import { downloadName, REPORT_KIND_NAMES, requireReportKind } from '../report-kinds.ts';
import { requireList } from '../require-list.ts';
import { errors, listIdParams, signedLinkQuery } from '../schemas.ts';
import { sendReport } from '../send-report.ts';

const runSchema = {
  type: 'object',
  required: ['id', 'status', 'started_at', 'finished_at', 'changes', 'summary'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string' },
    started_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
    changes: {
      type: ['integer', 'null'],
      description: 'Addresses whose status changed since the previous run.',
    },
    summary: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

/** A finished run of the list, or 404 run_not_found / 409 not_ready. */
export async function requireFinishedRun(
  rt: FastifyInstance['rt'],
  meta: ListMeta,
  runId: string,
): Promise<RunRecord> {
  const run = await rt.lists.getRun(meta.id, runId);
  if (!run)
    throw apiError(
      'run_not_found',
      `List ${meta.id} has no run ${runId}; GET /v1/lists/${meta.id}/runs lists them.`,
    );
  if (run.status !== 'done') throw apiError('not_ready', `Run ${runId} is not finished yet.`);
  return run;
}

/** The params of a run's report (and of its signed link). */
export const runReportParams = {
  type: 'object',
  required: ['id', 'run', 'kind'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    run: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' },
    kind: { type: 'string' },
  },
} as const;

function toBody(run: RunRecord) {
  return {
    id: run.id,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    changes: run.changes,
    summary: run.summary,
  };
}

export async function runRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.get<{ Params: { id: string } }>(
    '/lists/:id/runs',
    {
      schema: {
        summary: 'List the runs of a list, newest first',
        tags: ['hygiene'],
        params: listIdParams,
        response: {
          200: {
            type: 'object',
            required: ['runs'],
            properties: { runs: { type: 'array', items: runSchema } },
          },
          ...errors(401, 404, 429),
        },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      const runs = await rt.lists.runs(meta.id);
      // The current run's status is the list's; a finished run's record is final.
      return {
        runs: runs.map((run) =>
          toBody(run.id === meta.currentRun ? { ...run, status: meta.status } : run),
        ),
      };
    },
  );

  app.get<{ Params: { id: string; run: string; kind: string } }>(
    '/lists/:id/runs/:run/reports/:kind',
    {
      config: { signedLinks: true },
      schema: {
        summary: 'Download a report of one run',
        description:
          `kind: ${REPORT_KIND_NAMES.join(', ')}. Instead of the key, a signed link from ` +
          'POST …/link (expires, sig) opens it for 60 s.',
        tags: ['hygiene'],
        params: runReportParams,
        querystring: { type: 'object', properties: { ...signedLinkQuery } },
        response: {
          200: { description: 'The report file.', type: 'string' },
          302: { description: 'Redirect to a presigned download URL.', type: 'null' },
          ...errors(401, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      const { run: runId, kind } = request.params;
      const report = requireReportKind(kind);
      await requireFinishedRun(rt, meta, runId);
      return sendReport(request, reply, {
        key: storageKeys.runOutput(meta.id, runId, report.file),
        report,
        downloadName: downloadName(meta.name, report, runId),
      });
    },
  );
}
