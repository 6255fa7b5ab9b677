/**
 * POST /v1/lists/preview: what the server detects in a file before it is uploaded — the web
 * console shows it, and lets the user pick another email column, before POST /v1/lists. Its
 * own plugin because, like the upload, it takes the raw body as a stream.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { formatBytes } from '../../csv/utf8.ts';
import { MAX_WORKBOOK_BYTES, XLSX_MEDIA_TYPE } from '../../csv/workbook.ts';
import { errors } from '../schemas.ts';
import { PREVIEW_ROWS, previewUpload } from '../upload/preview.ts';
import { RAW_CSV_TYPES, RAW_UPLOAD_TYPES } from '../upload/source.ts';

const nullableObject = (properties: Record<string, unknown>, required: string[]) => ({
  type: ['object', 'null'],
  required,
  properties,
});

const previewSchema = {
  type: 'object',
  required: [
    'format',
    'encoding',
    'bom',
    'delimiter',
    'line_ending',
    'has_header',
    'columns',
    'address_columns',
    'email_column',
    'email_column_error',
    'rows',
    'sample_rows',
    'truncated',
  ],
  properties: {
    format: { type: 'string', enum: ['csv', 'xlsx'] },
    encoding: { type: 'string', enum: ['utf8', 'utf16le', 'utf16be', 'windows-1252'] },
    bom: { type: 'boolean' },
    delimiter: { type: 'string', enum: [',', ';', '\t', '|'] },
    line_ending: { type: 'string', enum: ['crlf', 'lf'] },
    has_header: { type: 'boolean' },
    columns: {
      type: 'array',
      items: { type: 'string' },
      description: "The header's names, or column_1, column_2, … without a header row.",
    },
    address_columns: {
      type: 'array',
      items: { type: 'integer' },
      description: 'Columns (1-based) where at least one sample value in five is an address.',
    },
    email_column: {
      ...nullableObject(
        {
          number: { type: 'integer', minimum: 1 },
          name: { type: 'string' },
          detected: { type: 'string', enum: ['header', 'content', 'given'] },
        },
        ['number', 'name', 'detected'],
      ),
      description:
        'The column POST /v1/lists would read addresses from (given: the column= asked for); ' +
        'null when it would refuse the file, and email_column_error says why.',
    },
    email_column_error: {
      ...nullableObject({ code: { type: 'string' }, message: { type: 'string' } }, [
        'code',
        'message',
      ]),
      description: 'The error the upload would answer (no_email_column, column_not_found, …).',
    },
    rows: {
      type: 'array',
      items: { type: 'array', items: { type: 'string' } },
      description: `The first ${PREVIEW_ROWS} data rows, header excluded, as wide as columns.`,
    },
    sample_rows: { type: 'integer', description: 'Data rows in the sample that was looked at.' },
    truncated: {
      type: 'boolean',
      description: 'The sample is only the start of the file (its first 64 KiB).',
    },
  },
} as const;

export async function previewRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...RAW_UPLOAD_TYPES], (_request, payload, done) => done(null, payload));

  app.post<{ Querystring: { column?: string } }>(
    '/lists/preview',
    {
      config: { accepts: RAW_UPLOAD_TYPES },
      schema: {
        summary: 'See what is detected in a file before uploading it',
        description:
          `The start of a CSV as the body (${RAW_CSV_TYPES.join(', ')}): its first 64 KiB are ` +
          'what the upload decides the layout from, and all that is read; or a whole .xlsx ' +
          `workbook (${XLSX_MEDIA_TYPE}, up to ${formatBytes(MAX_WORKBOOK_BYTES)}). Answers ` +
          'the encoding, delimiter, header, columns, the email column POST /v1/lists would ' +
          'take (or why it would refuse the file), the columns that hold addresses and the ' +
          'first rows. Nothing is stored.',
        tags: ['lists'],
        consumes: [...RAW_UPLOAD_TYPES],
        querystring: {
          type: 'object',
          properties: {
            column: {
              type: 'string',
              minLength: 1,
              maxLength: 255,
              description: 'Check this column (name or 1-based number), as column= would.',
            },
          },
        },
        response: { 200: previewSchema, ...errors(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      // No body at all previews as an empty file: 400 empty_file, as the upload says.
      const body = request.body instanceof Readable ? request.body : Readable.from([]);
      try {
        return await previewUpload(body, {
          column: request.query.column,
          maxRows: rt.config.MAX_UPLOAD_ROWS,
        });
      } finally {
        // The rest of a long CSV is not read: close the connection after the answer.
        if (!body.readableEnded) reply.header('connection', 'close');
      }
    },
  );
}
