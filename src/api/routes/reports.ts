/** GET /v1/lists/:id/reports/:kind: the latest finished run's reports of a list. */
import type { FastifyInstance } from 'fastify';
import type { ListMeta } from '../../pipeline/list-store.ts';
import { storageKeys } from '../../pipeline/names.ts';
import { writePartialReports } from '../../pipeline/partial-reports.ts';
import { apiError } from '../errors.ts';
import { downloadName, REPORT_KIND_NAMES, requireReportKind } from '../report-kinds.ts';
import { requireList } from '../require-list.ts';
import { errors, signedLinkQuery } from '../schemas.ts';
import { sendReport } from '../send-report.ts';

interface ReportParams {
  id: string;
  kind: string;
}

interface ReportQuery {
  partial?: boolean;
}

/**
 * Which reports a request for a list's reports gets: what is known so far (`partial`, while
 * the list is verified), or the last finished run's; refuses with not_ready / list_failed when
 * there are none yet. Shared by the download and its signed link.
 */
/** A list's report: `:id` and `:kind` (also the params of its signed-link route). */
export const reportParams = {
  type: 'object',
  required: ['id', 'kind'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', description: REPORT_KIND_NAMES.join(', ') },
  },
} as const;

export async function reportSource(
  rt: FastifyInstance['rt'],
  meta: ListMeta,
  partial: boolean,
): Promise<'partial' | 'final'> {
  const running = meta.status !== 'done' && meta.status !== 'failed';
  if (partial && running) return 'partial';
  // During a hygiene run the reports of the last finished run are still there to serve.
  const ready =
    meta.status === 'done' || (await rt.lists.runs(meta.id)).some((r) => r.status === 'done');
  if (!ready && meta.status === 'failed') {
    throw apiError('list_failed', `The list failed, so it has no reports: ${meta.error}`);
  }
  if (!ready) {
    throw apiError(
      'not_ready',
      `The list is ${meta.status}; reports are ready once GET /v1/lists/${meta.id} says done ` +
        '(or ask for what is known so far with ?partial=true).',
    );
  }
  return 'final';
}

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  app.get<{ Params: ReportParams; Querystring: ReportQuery }>(
    '/lists/:id/reports/:kind',
    {
      config: { signedLinks: true },
      schema: {
        summary: 'Download a report of a done list',
        description:
          `kind: ${REPORT_KIND_NAMES.join(', ')}. The file itself, or (S3 storage) a 302 ` +
          'redirect to a presigned URL valid for DOWNLOAD_URL_TTL. deliverable, risky, ' +
          "undeliverable and unknown are the rows of that status with the input's columns; " +
          'zip holds those four. Content-Disposition names each file with its extension ' +
          '(attachment for files, inline for summary.json and report.html). ' +
          'partial=true, while the list is still verified: the same reports of what is known ' +
          'now, made on request; rows still waiting are marked pending in report.csv and ' +
          "counted in summary.json's pending, and are in no file sorted by verdict. Header " +
          'X-Listclean-Partial says which you got. Instead of the key, a signed link from ' +
          'POST …/link (expires, sig) opens it for 60 s.',
        tags: ['reports'],
        params: reportParams,
        querystring: {
          type: 'object',
          properties: {
            partial: {
              type: 'boolean',
              default: false,
              description: 'What is known so far, while the list is verified.',
            },
            ...signedLinkQuery,
          },
        },
        produces: ['text/csv', 'application/json', 'text/html', 'application/zip'],
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
      if ((await reportSource(rt, meta, request.query.partial === true)) === 'partial') {
        await writePartialReports(rt, meta.id);
        reply.header('x-listclean-partial', 'true');
        return sendReport(request, reply, {
          key: storageKeys.partial(meta.id, report.file),
          report,
          downloadName: downloadName(meta.name, report, 'partial'),
        });
      }
      reply.header('x-listclean-partial', 'false');
      return sendReport(request, reply, {
        key: storageKeys.output(meta.id, report.file),
        report,
        downloadName: downloadName(meta.name, report),
      });
    },
  );
}
