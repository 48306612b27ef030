// GET /healthz (the process answers) and GET /readyz (the model is loaded in a worker and the server is not
// shutting down): what an orchestrator probes. Open even when an API key is set.
import type { FastifyPluginAsync } from 'fastify';

export const healthRoutes: FastifyPluginAsync<{ ready: () => { ready: boolean; workers: number; closing: boolean } }> = async (app, o) => {
  const status = { type: 'object', required: ['status'], properties: { status: { type: 'string' }, workers: { type: 'integer' } } } as const;
  app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { summary: 'Readiness: the model is loaded and the server takes requests', tags: ['operations'], response: { 200: status, 503: status } },
  }, async (_req, reply) => {
    const r = o.ready();
    if (!r.ready) reply.code(503);
    return { status: r.closing ? 'closing' : r.ready ? 'ready' : 'loading', workers: r.workers };
  });
};
