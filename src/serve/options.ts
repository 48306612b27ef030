// `cafe serve` settings: every limit the service enforces, with its default and why. Validated once, at start.
import { availableParallelism } from 'node:os';
import { invalidParameter } from '../errors.js';

export interface ServeOptions {
  /** Address to bind; default 127.0.0.1 (loopback: exposing the service is an explicit choice). */
  host?: string;
  /** TCP port; default 8080; 0 = any free port (tests). */
  port?: number;
  /** Model folder; default the shipped model (see MODEL_CARD.md). */
  model?: string;
  /** Inference worker threads; default: the number of cores (each runs onnxruntime on 1 thread). */
  workers?: number;
  /** Largest request body in bytes; default 10 MiB (a 50-megapixel JPEG is ~15 MB, a phone photo 2-5 MB). JSON
   *  bodies carry base64 (4/3 of the bytes), so they get 4/3 of this. */
  maxBodyBytes?: number;
  /** Largest image in pixels, read from the header before anything is decoded (decompression bombs); default 40 M. */
  maxPixels?: number;
  /** Most images in one /v1/recognize/batch request; default 16. */
  maxImagesPerRequest?: number;
  /** Dynamic batching: most images scored in one model call; default 8; 1 = batching off. */
  maxBatch?: number;
  /** Dynamic batching: longest a request waits for others to fill a batch (ms); default 5. */
  maxWaitMs?: number;
  /** Most images waiting for a worker; beyond it requests get 503 + Retry-After; default 64. */
  maxQueue?: number;
  /** Per-request deadline from arrival to answer (ms): queue + decode + inference; default 30000; 504 after it. */
  timeoutMs?: number;
  /** Deadline for receiving a whole request, headers and body (ms): a body trickling in slowly gets 408; default 15000. */
  receiveTimeoutMs?: number;
  /** Bearer token every /v1 and /metrics request must carry; default none (open). /healthz and /readyz stay open. */
  apiKey?: string;
  /** Longest side kept for detection (recognizer maxSide); default the recognizer's (1920). */
  maxSide?: number;
  /** onnxruntime threads per worker; default 1 (workers x threads <= cores keeps them from fighting). */
  threadsPerWorker?: number;
  /** Fastify's request log; default false (the CLI turns it on with --log). */
  logger?: boolean;
}

export type ResolvedServeOptions = Required<Omit<ServeOptions, 'apiKey' | 'model' | 'maxSide'>> & Pick<ServeOptions, 'apiKey' | 'model' | 'maxSide'>;

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 10 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxImagesPerRequest: 16,
  maxBatch: 8,
  maxWaitMs: 5,
  maxQueue: 64,
  timeoutMs: 30_000,
  receiveTimeoutMs: 15_000,
  threadsPerWorker: 1,
  logger: false,
} as const;

const posInt = (name: string, v: number, min = 1) => {
  if (!Number.isInteger(v) || v < min) throw invalidParameter(name, `an integer >= ${min}`, v);
};

/** Fills defaults (undefined fields keep them) and checks every value. */
export function resolveServeOptions(o: ServeOptions = {}): ResolvedServeOptions {
  const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ServeOptions;
  const r: ResolvedServeOptions = { ...SERVE_DEFAULTS, workers: availableParallelism(), ...defined };
  posInt('port', r.port, 0);
  if (r.port > 65535) throw invalidParameter('port', 'an integer in [0, 65535]', r.port);
  posInt('workers', r.workers);
  posInt('maxBodyBytes', r.maxBodyBytes);
  posInt('maxPixels', r.maxPixels);
  posInt('maxImagesPerRequest', r.maxImagesPerRequest);
  posInt('maxBatch', r.maxBatch);
  posInt('maxWaitMs', r.maxWaitMs, 0);
  posInt('maxQueue', r.maxQueue);
  // A batch request's images are queued all or none: a queue shorter than one request could never take it.
  if (r.maxQueue < r.maxImagesPerRequest) throw invalidParameter('maxQueue', `at least maxImagesPerRequest (${r.maxImagesPerRequest})`, r.maxQueue);
  posInt('timeoutMs', r.timeoutMs);
  posInt('receiveTimeoutMs', r.receiveTimeoutMs);
  posInt('threadsPerWorker', r.threadsPerWorker);
  if (r.apiKey !== undefined && r.apiKey.length < 8) throw invalidParameter('apiKey', 'at least 8 characters', `${r.apiKey.length} characters`);
  if (typeof r.host !== 'string' || r.host === '') throw invalidParameter('host', 'an address', r.host);
  return r;
}
