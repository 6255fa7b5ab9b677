/** GET /v1/lists/:id/traces/:name: one SMTP transcript of a list uploaded with trace=true. */
import type { FastifyInstance } from 'fastify';
import { findTrace } from '../../pipeline/traces.ts';
import { apiError } from '../errors.ts';
import { downloadName, type ReportKind } from '../report-kinds.ts';
import { requireList } from '../require-list.ts';
import { errors } from '../schemas.ts';
import { sendReport } from '../send-report.ts';

interface TraceParams {
  id: string;
  name: string;
}

/** Shown in the browser: it is plain text, and its content is escaped where it is recorded. */
function traceFile(name: string): ReportKind {
  return { file: `${name}.txt`, contentType: 'text/plain; charset=utf-8', attachment: false };
}

export async function traceRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.get<{ Params: TraceParams }>(
    '/lists/:id/traces/:name',
    {
      schema: {
        summary: 'Download an SMTP transcript of a list',
        description:
          "For a list uploaded with trace=true: the transcript a verdict names in report.csv's " +
          'trace column — every command and reply of that SMTP session with its time in ms ' +
          'since the session started, the MX host and address, the egress, TLS. Plain text; ' +
          'with S3 storage a 302 redirect to a presigned URL valid DOWNLOAD_URL_TTL. Available ' +
          "as soon as the session is over, for as long as its run is kept (RUNS_KEEP). Another tenant's list answers 404.",
        tags: ['reports'],
        params: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 200 },
            name: {
              type: 'string',
              minLength: 1,
              maxLength: 128,
              pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
              description:
                "As report.csv's trace column gives it, e.g. 3f2a9c1b0d4e5f60-0-m5x2k1a-1.",
            },
          },
        },
        produces: ['text/plain'],
        response: {
          200: { description: 'The transcript.', type: 'string' },
          302: { description: 'Redirect to a presigned download URL.', type: 'null' },
          ...errors(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const meta = await requireList(request, request.params.id);
      const { name } = request.params;
      const key = await findTrace(rt, meta.id, name);
      if (key === null) {
        throw apiError(
          'trace_not_found',
          `List ${meta.id} has no transcript "${name}"; report.csv's trace column names them, and ` +
            'only lists uploaded with trace=true keep them.',
        );
      }
      const file = traceFile(name);
      return sendReport(request, reply, {
        key,
        report: file,
        downloadName: downloadName(meta.name, file),
      });
    },
  );
}
