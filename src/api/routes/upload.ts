/**
 * POST /v1/lists: a CSV upload, streamed into storage and queued (an .xlsx workbook is stored as
 * the CSV of its first sheet). Its own plugin because it swaps Fastify's body parsers for ones
 * that hand the raw stream through unread.
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../config/duration.ts';
import { formatBytes } from '../../csv/utf8.ts';
import { MAX_WORKBOOK_BYTES, XLSX_MEDIA_TYPE } from '../../csv/workbook.ts';
import { submitList } from '../../pipeline/submit.ts';
import { webhookResolver } from '../../webhook/resolve.ts';
import { checkWebhookTarget } from '../../webhook/target.ts';
import { tenantOf } from '../auth.ts';
import { apiError } from '../errors.ts';
import { purgeList } from '../purge-list.ts';
import { acceptedSchema, errors } from '../schemas.ts';
import { checkUpload } from '../upload/body.ts';
import {
  ACCEPTED_TYPES,
  checkDeclaredLength,
  openUpload,
  RAW_UPLOAD_TYPES,
} from '../upload/source.ts';

/**
 * The longest list name taken, in characters: names end up in file names and in the
 * Content-Disposition of every download, so a form's 80 KB file name is refused, not stored.
 */
export const MAX_LIST_NAME_LENGTH = 255;

interface UploadQuery {
  name?: string;
  column?: string;
  include_risky?: boolean;
  webhook_url?: string;
  deadline?: string;
  trace?: boolean;
}

const querystring = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      // No maxLength here: a longer name is refused with its own code, name_too_long.
      description: `Name of the list (default: the uploaded file name, else list.csv), at most ${MAX_LIST_NAME_LENGTH} characters (400 name_too_long).`,
    },
    column: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The email column: header name or 1-based number (default: detected).',
    },
    include_risky: {
      type: 'boolean',
      default: false,
      description: 'cleaned.csv keeps risky rows too.',
    },
    webhook_url: {
      type: 'string',
      maxLength: 2048,
      description: 'http(s) URL that is POSTed to when the list is done or failed.',
    },
    deadline: {
      type: 'string',
      maxLength: 32,
      description:
        'How long the list (and each hygiene run) may take, e.g. 45m or 2h; 0 = none; default LIST_DEADLINE. When it passes, what still waits (greylisting, throttled providers, slow servers) is finalised with its last answer.',
    },
    trace: {
      type: 'boolean',
      default: false,
      description:
        "Keep every SMTP session's transcript (this run and hygiene runs): report.csv's trace column names the one that decided each row, GET /v1/lists/{id}/traces/{name} downloads it. Every address is asked anew (no cached verdicts).",
    },
  },
} as const;

export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  const limits = { maxBytes: rt.config.MAX_UPLOAD_BYTES, maxRows: rt.config.MAX_UPLOAD_ROWS };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...RAW_UPLOAD_TYPES], (_request, payload, done) => done(null, payload));
  await app.register(multipart, { throwFileSizeLimit: true });

  app.post<{ Querystring: UploadQuery }>(
    '/lists',
    {
      config: { accepts: ACCEPTED_TYPES },
      schema: {
        summary: 'Upload a list to clean',
        description:
          'The CSV as the body (Content-Type text/csv, application/csv or text/plain) or as ' +
          'the field "file" of a multipart/form-data form. Streamed to storage; over ' +
          'MAX_UPLOAD_BYTES or MAX_UPLOAD_ROWS gives 413. An .xlsx workbook (Content-Type ' +
          `${XLSX_MEDIA_TYPE}, or a .xlsx file in the form) is taken too, up to ` +
          `${formatBytes(MAX_WORKBOOK_BYTES)}: its first sheet is stored as CSV and cleaned.`,
        tags: ['lists'],
        consumes: [...RAW_UPLOAD_TYPES, 'multipart/form-data'],
        querystring,
        response: {
          202: { ...acceptedSchema, description: 'Queued; Location names the list.' },
          ...errors(400, 401, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const query = request.query;
      checkDeclaredLength(request, limits.maxBytes);
      const deadlineMs = query.deadline === undefined ? undefined : parseDuration(query.deadline);
      if (deadlineMs === null) {
        throw apiError(
          'invalid_request',
          `deadline wants a duration such as 45m, 2h or 0 (none), got ${JSON.stringify(query.deadline)}.`,
        );
      }
      if (query.name !== undefined) checkListName(query.name, 'name=');
      const webhookUrl = await checkedWebhook(query.webhook_url, rt);
      const source = await openUpload(request, limits.maxBytes);
      const id = randomUUID();
      let stored = false;
      try {
        const name = query.name ?? source.filename ?? 'list.csv';
        if (query.name === undefined) checkListName(name, 'the uploaded file name');
        const { body } = await checkUpload(source.stream, limits, query.column);
        stored = true;
        // Stored before the list is created, so no completion can ever be reported without it.
        if (webhookUrl !== null) await rt.lists.set(id, { webhookUrl });
        await submitList(rt, {
          id,
          tenant,
          name,
          options: {
            column: query.column,
            includeRisky: query.include_risky === true,
            ...(deadlineMs === undefined ? {} : { deadlineMs }),
            ...(query.trace === true ? { trace: true as const } : {}),
          },
          input: body,
        });
      } catch (error) {
        // An unread rest of the body would stall the connection: close it after the answer.
        if (!source.stream.readableEnded) reply.header('connection', 'close');
        if (stored) {
          await purgeList(rt, { id, tenant }).catch((cleanup: unknown) => {
            request.log.warn({ err: cleanup, list: id }, 'could not remove a rejected upload');
          });
        }
        throw error;
      }
      request.log.info({ list: id, tenant }, 'list queued');
      return reply.code(202).header('location', `/v1/lists/${id}`).send({ id, status: 'queued' });
    },
  );
}

function checkListName(name: string, what: string): void {
  const length = [...name].length;
  if (length > MAX_LIST_NAME_LENGTH) {
    throw apiError(
      'name_too_long',
      `The list name (${what}) has ${length} characters; at most ${MAX_LIST_NAME_LENGTH} are ` +
        'taken. Pass a shorter name= with the upload.',
    );
  }
}

/** Checked as the delivery will be: through DNS_SERVERS when set, never the system resolver. */
async function checkedWebhook(
  raw: string | undefined,
  rt: FastifyInstance['rt'],
): Promise<string | null> {
  if (raw === undefined || raw === '') return null;
  const check = await checkWebhookTarget(raw, rt.config.WEBHOOK_ALLOW_PRIVATE, webhookResolver(rt));
  if (!check.ok) {
    throw apiError('invalid_webhook_url', `webhook_url is refused: ${check.reason}.`);
  }
  return raw;
}
