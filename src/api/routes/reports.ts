/** GET /v1/lists/:id/reports/:kind: the latest finished run's reports of a list. */
import type { FastifyInstance } from 'fastify';
import { storageKeys } from '../../pipeline/names.ts';
import { apiError } from '../errors.ts';
import { downloadName, REPORT_KIND_NAMES, requireReportKind } from '../report-kinds.ts';
import { requireList } from '../require-list.ts';
import { errors } from '../schemas.ts';
import { sendReport } from '../send-report.ts';

interface ReportParams {
  id: string;
  kind: string;
}

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.get<{ Params: ReportParams }>(
    '/lists/:id/reports/:kind',
    {
      schema: {
        summary: 'Download a report of a done list',
        description:
          `kind: ${REPORT_KIND_NAMES.join(', ')}. The file itself, or (S3 storage) a 302 ` +
          'redirect to a presigned URL valid for DOWNLOAD_URL_TTL.',
        tags: ['reports'],
        params: {
          type: 'object',
          required: ['id', 'kind'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 200 },
            kind: { type: 'string', description: REPORT_KIND_NAMES.join(', ') },
          },
        },
        produces: ['text/csv', 'application/json', 'text/html'],
        response: {
          200: { description: 'The report file.', type: 'string' },
          302: { description: 'Redirect to a presigned download URL.', type: 'null' },
          ...errors(401, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      const kind = request.params.kind;
      const report = requireReportKind(kind);
      // During a hygiene run the reports of the last finished run are still there to serve.
      const ready =
        meta.status === 'done' || (await rt.lists.runs(meta.id)).some((r) => r.status === 'done');
      if (!ready && meta.status === 'failed') {
        throw apiError('list_failed', `The list failed, so it has no reports: ${meta.error}`);
      }
      if (!ready) {
        throw apiError(
          'not_ready',
          `The list is ${meta.status}; reports are ready once GET /v1/lists/${meta.id} says done.`,
        );
      }
      return sendReport(request, reply, {
        key: storageKeys.output(meta.id, report.file),
        report,
        downloadName: downloadName(meta.name, kind, report),
      });
    },
  );
}
