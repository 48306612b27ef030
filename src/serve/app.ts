// `cafe serve` assembled: Fastify with one plugin per concern (errors, auth, metrics, OpenAPI, routes), an
// inference worker pool behind a dynamic batcher, and the limits of ServeOptions. createServer() returns a server
// whose workers have loaded the model; listen() it, close() it (in-flight requests finish, new ones get 503).
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { CafeError } from '../errors.js';
import { Batcher } from './batcher.js';
import { authPlugin } from './auth.js';
import { errorsPlugin } from './errors-plugin.js';
import { errorBody, errorSchema } from './http-error.js';
import { createMetrics, metricsPlugin } from './metrics.js';
import { resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js';
import { WorkerPool } from './pool.js';
import type { ModelInfo } from './protocol.js';
import { batchResponseSchema, recognitionSchema, recognizeResponseSchema, timingsSchema } from './schemas.js';
import { healthRoutes } from './routes/health.js';
import { modelRoutes } from './routes/model.js';
import { openapiRoute } from './routes/openapi.js';
import { recognizeRoutes } from './routes/recognize.js';

export interface CafeServer {
  app: FastifyInstance;
  options: ResolvedServeOptions;
  model: ModelInfo;
  pool: WorkerPool;
  batcher: Batcher;
  /** Binds host:port; returns the base URL. */
  listen(): Promise<string>;
  /** Graceful: stops accepting, lets in-flight requests finish, then stops the workers. */
  close(): Promise<void>;
}

export async function createServer(opts: ServeOptions = {}): Promise<CafeServer> {
  const o = resolveServeOptions(opts);
  const pool = new WorkerPool({ model: o.model, threads: o.threadsPerWorker, maxSide: o.maxSide }, o.workers);
  let closing = false;
  const metrics = createMetrics({ queueDepth: () => batcher.depth, workersReady: () => pool.readyCount, workersBusy: () => pool.busyCount });
  const batcher = new Batcher(pool, o, {
    batch(size, inferenceMs) {
      metrics.batchSize.observe(size);
      if (inferenceMs > 0) metrics.inference.observe(inferenceMs / 1000);
    },
  });
  pool.onCrash = () => metrics.errors.inc({ code: 'CAFE_WORKER_CRASHED' });
  let model: ModelInfo;
  try {
    model = await pool.start();
  } catch (err) {
    await pool.close();
    throw err;
  }

  const app = Fastify({
    logger: o.logger,
    // JSON carries base64: 4/3 of the image bytes, plus room for the field names.
    bodyLimit: Math.ceil((o.maxBodyBytes * 4) / 3) + 4096,
    // A request (headers + body) must arrive within receiveTimeoutMs: a trickling body gets 408 and its socket closed.
    requestTimeout: o.receiveTimeoutMs,
    // Node checks request deadlines on this period (default 30 s); a tenth of the deadline keeps 408s prompt. Node
    // only enforces requestTimeout when headersTimeout is no longer (it checks that at construction only).
    http: { connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(o.receiveTimeoutMs / 10))), headersTimeout: o.receiveTimeoutMs },
    // Errors before a request exists (slow or malformed HTTP): the same JSON shape and metrics as the rest.
    clientErrorHandler(err: NodeJS.ErrnoException, socket) {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, code, message] =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'CAFE_RECEIVE_TIMEOUT', `request not received within ${o.receiveTimeoutMs} ms (receiveTimeoutMs)`]
        : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'CAFE_HEADERS_TOO_LARGE', 'request headers too large']
        : [400, 'CAFE_BAD_HTTP', `malformed HTTP request (${err.code ?? err.message})`];
      metrics.errors.inc({ code });
      const body = JSON.stringify(errorBody(status, code, message));
      if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      socket.destroy();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.addSchema(errorSchema);
  for (const s of [recognitionSchema, timingsSchema, recognizeResponseSchema, batchResponseSchema]) app.addSchema(s);
  // First: it lists the routes registered after it (metrics included).
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'cafe serve', description: 'Facial expression recognition over HTTP (CAFE, ECCV 2024).', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'only when the server was started with an API key' } } },
      tags: [{ name: 'inference' }, { name: 'operations' }],
    },
    // Shared schemas appear under their $id (Recognition, Error, ...) instead of def-0, def-1.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(errorsPlugin);
  await app.register(authPlugin, { apiKey: o.apiKey });
  await app.register(metricsPlugin, { metrics });
  // text/plain is no way to send an image: without its default parser it gets 415 like any other wrong type.
  app.removeContentTypeParser('text/plain');
  // Raw uploads: any image/* type, buffered up to maxBodyBytes; what the bytes really are is checked later by
  // their magic bytes, never by this header.
  app.addContentTypeParser(/^image\/[a-z0-9.+-]+$/i, { parseAs: 'buffer', bodyLimit: o.maxBodyBytes }, (_req, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: o.maxBodyBytes, files: o.maxImagesPerRequest } });
  await app.register(healthRoutes, { ready: () => ({ ready: !closing && pool.readyCount > 0, workers: pool.readyCount, closing }) });
  await app.register(modelRoutes, { model: () => pool.model ?? model, options: o });
  await app.register(recognizeRoutes, {
    score: { batcher, metrics, maxPixels: o.maxPixels, timeoutMs: o.timeoutMs },
    limits: { maxImages: o.maxImagesPerRequest, maxBytes: o.maxBodyBytes },
    modelName: () => model.name,
  });
  await app.register(openapiRoute);
  app.addHook('preClose', async () => {
    closing = true;
  });
  // While closing, answers end their connection: a keep-alive socket that was busy when close() began would
  // otherwise hold the server open until keepAliveTimeout.
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  // After the listener has closed and every in-flight request has been answered.
  app.addHook('onClose', async () => {
    batcher.drain(new Error('server closed'));
    await pool.close();
  });
  await app.ready();

  return {
    app, options: o, model, pool, batcher,
    async listen() {
      try {
        await app.listen({ host: o.host, port: o.port });
      } catch (err) {
        await app.close();
        const e = err as NodeJS.ErrnoException;
        throw new CafeError(`cannot listen on ${o.host}:${o.port} (${e.code ?? e.message})${e.code === 'EADDRINUSE' ? ': the port is taken, pass another --port' : ''}`);
      }
      const a = app.server.address();
      const addr = typeof a === 'object' && a ? a : { address: o.host, port: o.port };
      return `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
    },
    close: () => app.close(),
  };
}
