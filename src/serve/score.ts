// One request's images through the service: header checks (format allow-list, maxPixels) on the server thread's
// libuv pool, then the batcher and a worker; a deadline (timeoutMs from arrival) and the client hanging up both
// withdraw images still queued. Failures come back per image, so the batch route reports them one by one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Recognition } from '../recognizer/core.js';
import type { Batcher } from './batcher.js';
import { checkImage } from './image-check.js';
import { HttpError } from './http-error.js';
import type { NamedImage } from './input.js';
import type { ServeMetrics } from './metrics.js';

export interface Timings {
  queueMs: number;
  decodeMs: number;
  detectMs: number;
  inferenceMs: number;
  totalMs: number;
}

export type Scored = { ok: true; result: Recognition; timings: Timings; batchSize: number } | { ok: false; error: HttpError };

export interface ScoreContext {
  batcher: Batcher;
  metrics: ServeMetrics;
  maxPixels: number;
  timeoutMs: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Scores every image; never throws for a bad image (its slot says why), throws for the request as a whole:
 *  queue full (503), deadline passed (504). */
export async function scoreImages(ctx: ScoreContext, req: FastifyRequest, reply: FastifyReply, images: NamedImage[], detect: boolean): Promise<Scored[]> {
  const arrived = performance.now() - reply.elapsedTime;
  const checks = await Promise.all(images.map((im) => im.error ?? checkImage(im.bytes, im.name, ctx.maxPixels).then(() => null, (e: HttpError) => e)));
  const good = images.filter((_, i) => checks[i] === null);
  const out: Scored[] = checks.map((e) => (e ? { ok: false, error: e } : (undefined as never)));
  if (good.length === 0) return out;

  const ac = new AbortController();
  const left = ctx.timeoutMs - (performance.now() - arrived);
  const timeout = new HttpError(504, 'CAFE_TIMEOUT', `no answer within ${ctx.timeoutMs} ms (timeoutMs): the server is overloaded or the image is very large`);
  const timer = setTimeout(() => ac.abort(timeout), Math.max(0, left));
  const gone = () => ac.abort(new HttpError(499, 'CAFE_CLIENT_GONE', 'client closed the connection'));
  reply.raw.once('close', gone);
  try {
    const jobs = ctx.batcher.submit(good.map((im) => ({ bytes: im.bytes, detect })), ac.signal);
    // Settle every image (or the deadline) before answering.
    const deadline = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }));
    const settled = await Promise.race([Promise.allSettled(jobs), deadline]);
    let k = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i]) continue;
      const s = settled[k++];
      const name = images[i].name;
      if (s.status === 'rejected') {
        const e = s.reason instanceof HttpError ? s.reason : new HttpError(500, 'CAFE_INTERNAL', `${name}: ${(s.reason as Error).message}`);
        out[i] = { ok: false, error: e };
        continue;
      }
      const { result: r, queueMs, batchSize, inferenceMs } = s.value;
      if (!r.ok) {
        out[i] = { ok: false, error: r.kind === 'input' ? new HttpError(400, 'CAFE_IMAGE_DECODE', `${name}: ${r.message.replace(/^<\d+-byte buffer>: /, '')}`) : new HttpError(500, 'CAFE_INTERNAL', `${name}: ${r.message}`) };
        continue;
      }
      const totalMs = performance.now() - arrived;
      out[i] = { ok: true, result: r.recognition, batchSize, timings: { queueMs: r2(queueMs), decodeMs: r2(r.decodeMs), detectMs: r2(r.detectMs), inferenceMs: r2(inferenceMs), totalMs: r2(totalMs) } };
    }
    return out;
  } finally {
    clearTimeout(timer);
    reply.raw.off('close', gone);
    for (const s of out) if (s) ctx.metrics.images.inc({ outcome: s.ok ? 'ok' : s.error.statusCode >= 500 ? 'internal' : 'input' });
  }
}
