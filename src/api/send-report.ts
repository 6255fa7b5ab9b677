/**
 * Answers with a stored report: on S3 a redirect to a short-lived presigned URL (the bytes never
 * pass through the API), on disk the file itself, streamed. Shared by the list's reports and a
 * run's reports.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isListcleanError } from '../errors.ts';
import { attachmentDisposition } from '../storage/index.ts';
import { apiError } from './errors.ts';
import type { ReportKind } from './report-kinds.ts';

/** The page is ours and self-contained; the header repeats its own meta CSP for old browsers. */
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface StoredReport {
  /** Storage key of the file. */
  key: string;
  report: ReportKind;
  /** The file name a browser (or `curl -OJ`) saves it under, extension included. */
  downloadName: string;
}

export async function sendReport(
  request: FastifyRequest,
  reply: FastifyReply,
  { key, report, downloadName }: StoredReport,
): Promise<FastifyReply> {
  const { rt } = request.server;
  const url = await rt.storage.presignedGetUrl(key, {
    expiresSeconds: Math.max(1, Math.round(rt.config.DOWNLOAD_URL_TTL / 1000)),
    contentType: report.contentType,
    downloadName,
    inline: !report.attachment,
  });
  if (url !== null) return reply.header('cache-control', 'no-store').redirect(url, 302);

  let stream: Awaited<ReturnType<typeof rt.storage.get>>;
  try {
    stream = await rt.storage.get(key);
  } catch (error) {
    if (!isListcleanError(error) || error.code !== 'storage_not_found') throw error;
    request.log.error({ err: error, key }, 'a report that should exist is missing');
    throw apiError(
      'report_missing',
      `The report ${report.file} is missing from storage; tell the operator ` +
        `(request ${request.id}).`,
    );
  }
  reply
    .type(report.contentType)
    .header(
      'content-disposition',
      attachmentDisposition(downloadName, report.attachment ? 'attachment' : 'inline'),
    )
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-cache');
  if (report.contentType.startsWith('text/html')) reply.header('content-security-policy', HTML_CSP);
  return reply.send(stream);
}
