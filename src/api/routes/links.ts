/**
 * POST /v1/lists/:id/reports/:kind/link and POST /v1/lists/:id/runs/:run/reports/:kind/link:
 * a signed link to the report, valid 60 s, that opens it with no key (signed-links.ts). The
 * web console downloads every report this way. The same checks as the download run first, so a
 * link is only handed out for a report there is to fetch.
 */
import type { FastifyInstance } from 'fastify';
import { tenantOf } from '../auth.ts';
import { REPORT_KIND_NAMES, requireReportKind } from '../report-kinds.ts';
import { requireList } from '../require-list.ts';
import { errors, signedLinkSchema } from '../schemas.ts';
import { type LinkTarget, signLink } from '../signed-links.ts';
import { reportParams, reportSource } from './reports.ts';
import { requireFinishedRun, runReportParams } from './runs.ts';

const DESCRIPTION =
  'A URL of the report that works without the API key for 60 seconds, e.g. for a browser to ' +
  'download it or open report.html in a tab. It names its list, run, report and partial flag ' +
  'and is signed for the calling tenant; changed, expired or for another tenant it answers 401 ' +
  '(link_invalid, link_expired).';

export async function linkRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;

  function link(tenant: string, target: LinkTarget) {
    const signed = signLink(rt.config.API_KEYS, tenant, target);
    return { url: signed.url, expires_at: signed.expiresAt.toISOString() };
  }

  app.post<{ Params: { id: string; kind: string }; Querystring: { partial?: boolean } }>(
    '/lists/:id/reports/:kind/link',
    {
      schema: {
        summary: 'A signed link to a report of a list',
        description: `${DESCRIPTION} kind: ${REPORT_KIND_NAMES.join(', ')}.`,
        tags: ['reports'],
        params: reportParams,
        querystring: {
          type: 'object',
          properties: {
            partial: {
              type: 'boolean',
              default: false,
              description: 'A link to what is known so far, while the list is verified.',
            },
          },
        },
        response: { 200: signedLinkSchema, ...errors(401, 404, 409, 429) },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      const { kind } = request.params;
      requireReportKind(kind);
      const partial = request.query.partial === true;
      await reportSource(rt, meta, partial);
      return link(tenantOf(request), { list: meta.id, kind, run: null, partial });
    },
  );

  app.post<{ Params: { id: string; run: string; kind: string } }>(
    '/lists/:id/runs/:run/reports/:kind/link',
    {
      schema: {
        summary: 'A signed link to a report of one run',
        description: `${DESCRIPTION} kind: ${REPORT_KIND_NAMES.join(', ')}.`,
        tags: ['hygiene'],
        params: runReportParams,
        response: { 200: signedLinkSchema, ...errors(401, 404, 409, 429) },
      },
    },
    async (request) => {
      const meta = await requireList(request, request.params.id);
      const { run, kind } = request.params;
      requireReportKind(kind);
      await requireFinishedRun(rt, meta, run);
      return link(tenantOf(request), { list: meta.id, kind, run, partial: false });
    },
  );
}
