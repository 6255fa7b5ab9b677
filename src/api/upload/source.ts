/**
 * Where an upload's bytes come from: the raw request body (`text/csv` and friends, handed
 * through unparsed) or the `file` field of a multipart form. Neither is read here.
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { XLSX_MEDIA_TYPE } from '../../csv/workbook.ts';
import { apiError } from '../errors.ts';
import { tooLarge } from './counter.ts';

/** Media types sent as the raw body; text/plain because curl --data-binary sends it. */
export const RAW_CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'] as const;
/** Every raw body taken: a CSV, or an .xlsx workbook (its first sheet is cleaned). */
export const RAW_UPLOAD_TYPES = [...RAW_CSV_TYPES, XLSX_MEDIA_TYPE] as const;
export const ACCEPTED_TYPES = [...RAW_UPLOAD_TYPES, 'multipart/form-data (field "file")'] as const;

/** Room for a multipart form's boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface UploadSource {
  stream: Readable;
  /** The multipart file name, without any folder a browser may have sent. */
  filename: string | null;
}

/** 413 before reading a byte when Content-Length already says the body is over the limit. */
export function checkDeclaredLength(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  const allowed = maxBytes + (request.isMultipart() ? MULTIPART_OVERHEAD : 0);
  if (Number.isFinite(declared) && declared > allowed) {
    throw tooLarge(
      `The upload (Content-Length ${declared}) is larger than the limit of ${maxBytes} bytes ` +
        '(MAX_UPLOAD_BYTES). Split the list into smaller files and upload each.',
    );
  }
}

export async function openUpload(request: FastifyRequest, maxBytes: number): Promise<UploadSource> {
  if (request.isMultipart()) return openMultipart(request, maxBytes);
  if (request.body instanceof Readable) return { stream: request.body, filename: null };
  throw apiError(
    'unsupported_media_type',
    `No file in the request. Send the CSV as the body with Content-Type ${RAW_CSV_TYPES.join(', ')} ` +
      `(an .xlsx workbook with ${XLSX_MEDIA_TYPE}), or as the field "file" of a ` +
      'multipart/form-data form.',
  );
}

async function openMultipart(request: FastifyRequest, maxBytes: number): Promise<UploadSource> {
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    // One byte over the limit lets our own counter, not busboy's truncation, report it.
    part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 20 } });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== undefined) throw error;
    throw apiError(
      'invalid_multipart',
      `The multipart/form-data body could not be read (${(error as Error).message}).`,
    );
  }
  if (!part) {
    throw apiError(
      'missing_file',
      'The form has no file. Send the CSV in a multipart field named "file".',
    );
  }
  if (part.fieldname !== 'file') {
    throw apiError(
      'missing_file',
      `The file came in the field "${part.fieldname}"; send it in a field named "file".`,
    );
  }
  const filename = part.filename.split(/[\\/]/).pop()?.trim() ?? '';
  return { stream: part.file, filename: filename === '' ? null : filename };
}
