/**
 * GET /v1/doctor (DESIGN §5): `listclean doctor`'s checks as JSON, run by this API process with
 * its configuration, Redis and storage. For the operator: it needs ADMIN_KEY (Bearer, or Basic
 * with it as the password), not an API key, so it lives beside the /v1 routes rather than among
 * them. Requests that arrive while a run is going share it: a burst of calls makes one run.
 */
import type { FastifyInstance } from 'fastify';
import { type DoctorCheck, runDoctor } from '../../doctor/index.ts';
import { adminKeyCheck } from '../admin-auth.ts';
import { apiError } from '../errors.ts';
import { errors } from '../schemas.ts';

const doctorSchema = {
  type: 'array',
  description: 'One entry per check, in the order `listclean doctor --json` prints them.',
  items: {
    type: 'object',
    required: ['check', 'target', 'status', 'evidence', 'fix'],
    properties: {
      check: {
        type: 'string',
        description:
          'tcp/<port>, egress, ptr, fcrdns, helo, spf, blocklist, mx, redis, redis-cache, storage, policy, config',
      },
      target: { type: 'string', description: 'The egress, address, domain or service checked.' },
      status: { type: 'string', enum: ['pass', 'warn', 'fail'] },
      evidence: { type: 'string', description: 'What was seen.' },
      fix: { type: ['string', 'null'], description: 'What to do about it; null when it passed.' },
    },
  },
} as const;

export async function doctorRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  const isAdmin = adminKeyCheck(rt.config.ADMIN_KEY);
  let running: Promise<DoctorCheck[]> | null = null;
  app.get(
    '/doctor',
    {
      schema: {
        summary: 'Check the sending side and the services (listclean doctor)',
        description:
          'Port 25 out per egress, the address each is seen from, PTR and forward-confirmed ' +
          'reverse DNS, HELO_NAME, MX and SPF of MAIL_FROM’s domain, DNS blocklists, Redis, ' +
          'storage and the provider policy: pass, warn or fail, with the evidence and the fix. ' +
          'Bounded by DOCTOR_TIMEOUT. Needs "Authorization: Bearer <ADMIN_KEY>", not an API key.',
        tags: ['operations'],
        security: [{ adminKey: [] }],
        response: { 200: doctorSchema, ...errors(401, 500) },
      },
      onRequest: async (request) => {
        if (isAdmin(request.headers.authorization)) return;
        throw apiError(
          'unauthorized',
          rt.config.ADMIN_KEY === ''
            ? 'GET /v1/doctor needs ADMIN_KEY, and this server has none: set ADMIN_KEY to use it.'
            : 'GET /v1/doctor needs the operator key: "Authorization: Bearer <ADMIN_KEY>" (an API key is not enough).',
          { 'www-authenticate': 'Basic realm="listclean admin", charset="UTF-8"' },
        );
      },
    },
    async () => {
      running ??= runDoctor(rt.config, { redis: rt.redis, storage: rt.storage }).finally(() => {
        running = null;
      });
      return running;
    },
  );
}
