/**
 * The one way a route gets at a list: another tenant's list answers exactly like a list that
 * does not exist, so ids of other tenants cannot even be confirmed.
 */
import type { FastifyRequest } from 'fastify';
import { type ListMeta, listNotFound } from '../pipeline/list-store.ts';
import { tenantOf } from './auth.ts';

export async function requireList(request: FastifyRequest, id: string): Promise<ListMeta> {
  const tenant = tenantOf(request);
  const meta = await request.server.rt.lists.get(id);
  if (meta === null || meta.tenant !== tenant) {
    throw listNotFound(id, 'Ids come from POST /v1/lists; GET /v1/lists shows your lists.');
  }
  return meta;
}
