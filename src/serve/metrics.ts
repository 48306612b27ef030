// Prometheus metrics (prom-client) on a registry of this server's own (several servers in one process, as in the
// tests, must not share counters): requests and latency per route, queue depth, batch sizes, model-call time,
// errors by kind, workers ready, and prom-client's process metrics (RSS, event-loop lag, GC). GET /metrics.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_code'>;
  latency: Histogram<'method' | 'route' | 'status_code'>;
  errors: Counter<'code'>;
  images: Counter<'outcome'>;
  batchSize: Histogram;
  inference: Histogram;
}

/** Gauges read at scrape time from whoever owns the numbers. */
export interface MetricSources {
  queueDepth(): number;
  workersReady(): number;
  workersBusy(): number;
}

export function createMetrics(src: MetricSources): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cafe_' });
  const registers = [registry];
  new Gauge({ name: 'cafe_queue_depth', help: 'Images waiting for an inference worker', registers, collect() { this.set(src.queueDepth()); } });
  new Gauge({ name: 'cafe_workers_ready', help: 'Inference workers with the model loaded', registers, collect() { this.set(src.workersReady()); } });
  new Gauge({ name: 'cafe_workers_busy', help: 'Inference workers running a batch', registers, collect() { this.set(src.workersBusy()); } });
  return {
    registry,
    requests: new Counter({ name: 'cafe_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status_code'], registers }),
    latency: new Histogram({
      name: 'cafe_http_request_duration_seconds', help: 'Time from request to response', labelNames: ['method', 'route', 'status_code'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    errors: new Counter({ name: 'cafe_errors_total', help: 'Error responses by code (CAFE_IMAGE_FORMAT, CAFE_QUEUE_FULL, FST_ERR_..., ...)', labelNames: ['code'], registers }),
    images: new Counter({ name: 'cafe_images_total', help: 'Images scored (ok) or failed (input, internal)', labelNames: ['outcome'], registers }),
    batchSize: new Histogram({ name: 'cafe_batch_size', help: 'Images per model call (dynamic batching)', buckets: [1, 2, 4, 8, 16, 32, 64], registers }),
    inference: new Histogram({ name: 'cafe_inference_duration_seconds', help: 'One model call over a batch\'s faces', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the error handler: the error code this response carries (for cafe_errors_total). */
    errorCode?: string;
  }
}

/** Counts every response (routes by their pattern, unknown paths as one label) and serves GET /metrics. */
export const metricsPlugin = fp<{ metrics: ServeMetrics }>(async (app: FastifyInstance, { metrics }) => {
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.latency.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) metrics.errors.inc({ code: req.errorCode ?? `HTTP_${reply.statusCode}` });
  });
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['operations'],
      security: [{ bearer: [] }],
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' } },
    },
  }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}, { name: 'cafe-metrics' });
