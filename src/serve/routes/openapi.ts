// GET /openapi.json: the OpenAPI 3 document @fastify/swagger builds from the route schemas.
import type { FastifyPluginAsync } from 'fastify';

export const openapiRoute: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
