// Optional API key: with one set, every request except the probes and the API description must carry
// `Authorization: Bearer <key>`, checked before the body is read (an unauthenticated upload costs nothing).
// Compared in constant time over SHA-256 digests (lengths differ freely).
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { HttpError } from './http-error.js';

/** Paths open without the key: orchestrators probe them, and the API description is public documentation. */
export const OPEN_PATHS = new Set(['/healthz', '/readyz', '/openapi.json']);

const digest = (s: string) => createHash('sha256').update(s).digest();

export const authPlugin = fp<{ apiKey?: string }>(async (app, { apiKey }) => {
  if (!apiKey) return;
  const want = digest(apiKey);
  app.addHook('onRequest', async (req) => {
    if (OPEN_PATHS.has(req.url.split('?')[0])) return;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]), want)) {
      throw new HttpError(401, 'CAFE_UNAUTHORIZED', m ? 'wrong API key' : 'this server needs an API key: send `Authorization: Bearer <key>`', { 'www-authenticate': 'Bearer' });
    }
  });
}, { name: 'cafe-auth' });
