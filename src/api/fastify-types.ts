/**
 * What the API adds to Fastify's request and instance, declared once so every route plugin
 * (ours and those added later, such as schedules) sees the same types.
 */
import type { Runtime } from '../runtime/runtime.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The pipeline runtime the API serves. */
    rt: Runtime;
  }
  interface FastifyContextConfig {
    /** The media types a route takes, named in its 415 answer. */
    accepts?: readonly string[];
    /** The route also takes a signed link (`expires`, `sig`) instead of a key (signed-links.ts). */
    signedLinks?: boolean;
  }
  interface FastifyRequest {
    /** The tenant of the request's API key; null until authenticated (or when not). */
    tenant: string | null;
    /** sha256 (hex) of the presented key when it is a valid one: the rate-limit bucket. */
    keyHash: string | null;
    /** Whether an Authorization header was sent at all (401 says which case it is). */
    sentCredentials: boolean;
  }
}
