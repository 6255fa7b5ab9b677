/** JSON schemas shared by the routes: they validate input, shape output and feed /docs. */
import { LIST_STATUSES } from '../pipeline/types.ts';
import { RESULT_FIELDS } from '../verdict/result.ts';
import { REASONS, STATUSES } from '../verdict/types.ts';

export const errorSchema = {
  type: 'object',
  description: 'Every error has this shape.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable, for scripts (e.g. list_not_found).' },
        message: { type: 'string', description: 'What went wrong and what to do about it.' },
      },
    },
  },
} as const;

/** The error responses a route can give, by status, for its `response` schema. */
export function errors(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorSchema]));
}

export const listIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const status = { type: 'string', enum: [...LIST_STATUSES] } as const;

/** The query of a signed download link (POST …/link makes them): used instead of the key. */
export const signedLinkQuery = {
  expires: {
    type: 'string',
    pattern: '^\\d{1,12}$',
    description: 'Signed link: when it expires (unix seconds).',
  },
  sig: { type: 'string', maxLength: 100, description: 'Signed link: its signature.' },
} as const;

/** POST …/reports/:kind/link answers this. */
export const signedLinkSchema = {
  type: 'object',
  required: ['url', 'expires_at'],
  properties: {
    url: {
      type: 'string',
      description: "The report's URL (path and query, on this API's origin), usable without a key.",
    },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const listSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'status', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status,
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** An entry of GET /v1/lists: the summary, how far it got, and its verdicts once done. */
export const listIndexSchema = {
  ...listSummarySchema,
  required: [...listSummarySchema.required, 'progress', 'by_status'],
  properties: {
    ...listSummarySchema.properties,
    progress: {
      type: 'object',
      required: ['rows', 'unique', 'verified'],
      properties: {
        rows: { type: 'integer', description: 'Data rows read so far.' },
        unique: { type: 'integer', description: 'Distinct addresses.' },
        verified: { type: 'integer', description: 'Addresses with a verdict (this run).' },
      },
    },
    by_status: {
      description: "summary.json's rows by status once the list is done, else null.",
      type: ['object', 'null'],
      additionalProperties: { type: 'integer' },
    },
  },
} as const;

export const listDetailSchema = {
  type: 'object',
  required: ['id', 'name', 'status', 'progress', 'summary', 'created_at', 'updated_at', 'error'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status,
    progress: {
      type: 'object',
      required: ['rows', 'unique', 'verified', 'pending', 'greylisted'],
      properties: {
        rows: { type: 'integer', description: 'Data rows read so far.' },
        unique: { type: 'integer', description: 'Distinct addresses.' },
        verified: { type: 'integer', description: 'Addresses with a verdict.' },
        pending: { type: 'integer', description: 'Addresses still to verify.' },
        greylisted: { type: 'integer', description: 'Addresses waiting for a greylisting retry.' },
        waiting: {
          type: 'object',
          description:
            'Pending addresses that are put off, by what they wait for, and until when at the latest.',
          required: ['greylisted', 'throttled', 'retrying', 'deferred', 'until', 'domains'],
          properties: {
            greylisted: { type: 'integer', description: 'Waiting for a greylisting retry.' },
            throttled: { type: 'integer', description: 'Waiting for a turn with their provider.' },
            retrying: {
              type: 'integer',
              description: 'Waiting to retry a server that timed out or was unreachable.',
            },
            deferred: { type: 'integer', description: 'Deferred by their server (4xx).' },
            until: { type: ['string', 'null'], format: 'date-time' },
            domains: {
              type: 'array',
              description: 'The domains with the most waiting addresses (at most 5).',
              items: {
                type: 'object',
                required: ['domain', 'addresses', 'reason', 'until'],
                properties: {
                  domain: { type: 'string' },
                  addresses: { type: 'integer' },
                  reason: {
                    type: 'string',
                    enum: ['greylisted', 'throttled', 'retrying', 'deferred'],
                  },
                  until: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        deadline: {
          type: ['string', 'null'],
          format: 'date-time',
          description: 'When whatever still waits is finalised with its last answer; null: none.',
        },
        eta: {
          type: ['string', 'null'],
          format: 'date-time',
          description:
            'When the list should be verified: never after the deadline, never before the last wait ends; null while unknown.',
        },
      },
    },
    column: {
      description:
        'The email column the list is read by, once ingest has read the file (null before): ' +
        'its name (column_N without a header row), its number (1-based, as column= takes it) ' +
        'and how it was chosen.',
      type: ['object', 'null'],
      required: ['name', 'number', 'detected'],
      properties: {
        name: { type: 'string' },
        number: { type: 'integer', minimum: 1 },
        detected: { type: 'string', enum: ['header', 'content', 'given'] },
      },
    },
    summary: {
      description: 'summary.json once the list is done, else null.',
      type: ['object', 'null'],
      additionalProperties: true,
    },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    error: { type: ['string', 'null'], description: 'Why the list failed, if it did.' },
  },
} as const;

export const acceptedSchema = {
  type: 'object',
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

/** A final verdict: the same object as a line of `listclean verify` (DESIGN §5). */
export const verifyResultSchema = {
  type: 'object',
  description: 'A final verdict: the same object as a line of `listclean verify`.',
  required: [...RESULT_FIELDS],
  properties: {
    email: { type: 'string', description: 'The address exactly as given.' },
    email_normalized: nullableString,
    status: { type: 'string', enum: [...STATUSES] },
    reason: { type: 'string', enum: [...REASONS] },
    risk_score: { type: 'integer', minimum: 0, maximum: 100 },
    role: { type: 'boolean' },
    free: { type: 'boolean' },
    disposable: { type: 'boolean' },
    catch_all: { type: 'boolean' },
    suggestion: { ...nullableString, description: 'A likely intended address (typo).' },
    mx_host: nullableString,
    smtp_code: { type: ['integer', 'null'] },
    smtp_enhanced_code: nullableString,
    detail: { ...nullableString, description: "The server's words (or ours), for humans." },
    checked_at: { type: 'string', format: 'date-time' },
    rule: { ...nullableString, description: 'The rule that decided the verdict.' },
    mx_provider: {
      ...nullableString,
      description: 'Who runs the mail: google, microsoft, … or the MX host’s registrable domain.',
    },
    spf: { type: ['boolean', 'null'], description: 'The domain publishes SPF (null: unknown).' },
    dmarc: {
      type: ['string', 'null'],
      enum: ['none', 'quarantine', 'reject', 'absent', null],
      description: 'The domain’s DMARC policy (absent: none published; null: unknown).',
    },
    egress: { ...nullableString, description: 'Where the probe left from.' },
    trace: { ...nullableString, description: 'The SMTP transcript that decided it (trace=true).' },
  },
} as const;

/** An address of a verification whose verdict is not final yet. */
export const verifyPendingSchema = {
  type: 'object',
  description: 'Not final yet (greylisted, deferred, or still being asked).',
  required: ['email', 'email_normalized', 'status', 'reason', 'detail', 'next_attempt_at'],
  properties: {
    email: { type: 'string' },
    email_normalized: nullableString,
    status: { type: 'string', enum: ['pending'] },
    reason: { type: 'null' },
    detail: { ...nullableString, description: "The server's last words, e.g. a greylisting 450." },
    next_attempt_at: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'When its next attempt starts, once one is scheduled.',
    },
  },
} as const;

/** POST /v1/verify and GET /v1/verify/:id answer this. */
export const verifyBatchSchema = {
  type: 'object',
  required: ['id', 'status', 'pending', 'created_at', 'updated_at', 'results'],
  properties: {
    id: { type: 'string', description: 'GET /v1/verify/:id shows the batch later (for a day).' },
    status: {
      type: 'string',
      enum: ['pending', 'done'],
      description: '`done` once every address has a final verdict.',
    },
    pending: { type: 'integer', description: 'Addresses without a final verdict yet.' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    results: {
      type: 'array',
      description: 'One entry per address, in the order given.',
      items: { anyOf: [verifyResultSchema, verifyPendingSchema] },
    },
  },
} as const;

/** Addresses one POST /v1/verify takes. */
export const VERIFY_MAX_ADDRESSES = 100;

/** A duration: `500ms`, `20s`, `1m`; a bare number is seconds. */
const waitSchema = {
  type: 'string',
  pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m)?\\s*$',
  description:
    'How long to wait for verdicts before answering (default 20s, at most 60s): `500ms`, ' +
    '`20s`, `1m`; a bare number is seconds. What is not final by then is answered `pending`.',
} as const;

export const verifyBodySchema = {
  type: 'object',
  description: 'Either `email` or `emails`.',
  properties: {
    email: { type: 'string', description: 'One address.' },
    emails: {
      type: 'array',
      minItems: 1,
      maxItems: VERIFY_MAX_ADDRESSES,
      items: { type: 'string' },
      description: `Up to ${VERIFY_MAX_ADDRESSES} addresses.`,
    },
    wait: waitSchema,
  },
} as const;

export const verifyQuerySchema = {
  type: 'object',
  properties: { wait: waitSchema },
} as const;
