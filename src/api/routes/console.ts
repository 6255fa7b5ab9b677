/**
 * The web console: `/` is its page, `/console/<file>` its script, styles and icon. No key is
 * needed for these static files — the console asks for one and sends it with every /v1 call.
 * A strict Content-Security-Policy keeps the page to its own origin: no inline script, no
 * other host, no framing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ConsoleAsset, loadConsole } from '../console/assets.ts';
import { apiError } from '../errors.ts';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  let loading: Promise<ReadonlyMap<string, ConsoleAsset>> | null = null;
  const assets = () => {
    loading ??= loadConsole().catch((error: unknown) => {
      loading = null;
      app.log.error({ err: error }, 'the web console could not be loaded');
      throw apiError(
        'internal_error',
        'The web console is not available: its files are missing or could not be built ' +
          '(run npm run build); the server log has the details.',
      );
    });
    return loading;
  };

  async function send(request: FastifyRequest, reply: FastifyReply, name: string) {
    const asset = (await assets()).get(name);
    if (asset === undefined) return reply.callNotFound();
    reply
      .type(asset.type)
      .header('etag', asset.etag)
      // Revalidated every time (a 304 is a few bytes): a new version shows on the next load.
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      return reply.header('content-encoding', 'gzip').send(asset.gzip);
    }
    return reply.send(asset.body);
  }

  app.get('/', { schema: { hide: true } }, (request, reply) => send(request, reply, 'index.html'));
  app.get<{ Params: { file: string } }>(
    '/console/:file',
    { schema: { hide: true } },
    (request, reply) =>
      // The page itself is only served at /.
      request.params.file === 'index.html'
        ? reply.callNotFound()
        : send(request, reply, request.params.file),
  );
}
