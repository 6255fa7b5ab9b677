/**
 * The operator dashboard (bull-board) at /admin/queues, mounted only when ADMIN_KEY is set.
 * `Authorization: Bearer <ADMIN_KEY>` for scripts, or HTTP Basic with ADMIN_KEY as the password
 * (any user name) so a browser prompts for it.
 *
 * `@bull-board/*` (the dashboard and its UI) is imported here, when the dashboard is mounted, never
 * at start-up: a server without ADMIN_KEY does not load it (test/api/admin-lazy.test.ts).
 */
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminKeyCheck } from '../admin-auth.ts';
import type { ErrorBody } from '../errors.ts';

export const ADMIN_PATH = '/admin/queues';

export interface AdminOptions {
  adminKey: string;
  queues: Queue[];
}

export async function adminRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const isAdmin = adminKeyCheck(options.adminKey);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isAdmin(request.headers.authorization)) return;
    const body: ErrorBody = {
      error: {
        code: 'unauthorized',
        message:
          'The queue dashboard needs ADMIN_KEY: "Authorization: Bearer <ADMIN_KEY>", ' +
          'or HTTP Basic with ADMIN_KEY as the password.',
      },
    };
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="listclean admin", charset="UTF-8"')
      .send(body);
  });

  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    // One board per queue name, should a queue be passed twice (the runtime may one day open
    // the webhook queue itself).
    queues: [...new Map(options.queues.map((q) => [q.name, q])).values()].map(
      (queue) => new BullMQAdapter(queue),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'listclean' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
}
