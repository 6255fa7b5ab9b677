/** JSON schemas shared by the routes: they validate input, shape output and feed /docs. */
import { LIST_STATUSES } from '../pipeline/types.ts';

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
