import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { CafeError } from '../../errors.js';
import { createServer } from '../../serve/app.js';
import { SERVE_DEFAULTS } from '../../serve/options.js';

const usage = `Usage: cafe serve [options]

An HTTP inference service (Fastify): POST /v1/recognize (raw image/* body, multipart/form-data or JSON
{"image": base64}; ?detect=false for face crops), POST /v1/recognize/batch, GET /v1/model, /healthz, /readyz,
/metrics (Prometheus) and /openapi.json. Inference runs in worker threads with dynamic batching. Binds to
${SERVE_DEFAULTS.host} unless --host says otherwise. SIGTERM / SIGINT: stops taking requests, finishes the ones in
flight, exits 0 (a second signal exits at once).

Options:
  --host ADDR          address to bind (default ${SERVE_DEFAULTS.host}; 0.0.0.0 exposes the service)
  --port N             port (default ${SERVE_DEFAULTS.port}; 0 = any free port)
  --model DIR          model folder (model.json); default: the shipped model (see MODEL_CARD.md)
  --workers N          inference worker threads (default: the number of cores)
  --max-batch N        images per model call, dynamic batching (default ${SERVE_DEFAULTS.maxBatch}; 1 = off)
  --max-wait-ms N      longest wait for a batch to fill (default ${SERVE_DEFAULTS.maxWaitMs})
  --max-queue N        images waiting before requests get 503 + Retry-After (default ${SERVE_DEFAULTS.maxQueue})
  --max-body-bytes N   largest image upload (default ${SERVE_DEFAULTS.maxBodyBytes}; JSON base64 gets 4/3 of it)
  --max-pixels N       largest image, read from its header before decoding (default ${SERVE_DEFAULTS.maxPixels})
  --max-images N       most images per batch request (default ${SERVE_DEFAULTS.maxImagesPerRequest})
  --timeout-ms N       per-request deadline, 504 after it (default ${SERVE_DEFAULTS.timeoutMs})
  --receive-timeout-ms N  time to receive a whole request, 408 after it (default ${SERVE_DEFAULTS.receiveTimeoutMs})
  --api-key-env NAME   require \`Authorization: Bearer <key>\`, the key read from env var NAME (not from argv,
                       which other users can see in ps)
  --log                Fastify's JSON request log on stdout`;

export const serve: Command = {
  name: ['serve'],
  summary: 'HTTP inference service: recognize, batch, model, health, Prometheus metrics, OpenAPI',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' }, port: { type: 'string' }, model: { type: 'string' }, workers: { type: 'string' },
        'max-batch': { type: 'string' }, 'max-wait-ms': { type: 'string' }, 'max-queue': { type: 'string' },
        'max-body-bytes': { type: 'string' }, 'max-pixels': { type: 'string' }, 'max-images': { type: 'string' },
        'timeout-ms': { type: 'string' }, 'receive-timeout-ms': { type: 'string' }, 'api-key-env': { type: 'string' },
        log: { type: 'boolean', default: false },
      },
    });
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    let apiKey: string | undefined;
    if (values['api-key-env'] !== undefined) {
      apiKey = process.env[values['api-key-env']];
      if (!apiKey) throw new CafeError(`--api-key-env ${values['api-key-env']}: that environment variable is not set`);
    }
    const t0 = performance.now();
    const server = await createServer({
      host: values.host, port: num(values.port), model: values.model, workers: num(values.workers),
      maxBatch: num(values['max-batch']), maxWaitMs: num(values['max-wait-ms']), maxQueue: num(values['max-queue']),
      maxBodyBytes: num(values['max-body-bytes']), maxPixels: num(values['max-pixels']), maxImagesPerRequest: num(values['max-images']),
      timeoutMs: num(values['timeout-ms']), receiveTimeoutMs: num(values['receive-timeout-ms']), apiKey, logger: values.log,
    });
    const url = await server.listen();
    const o = server.options;
    console.error(`cafe serve: ${server.model.name} on ${url} (${o.workers} workers, batch <= ${o.maxBatch} / ${o.maxWaitMs} ms, ` +
      `queue ${o.maxQueue}${apiKey ? ', API key required' : ''}; ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.error(`  try: curl -s -H 'content-type: image/jpeg' --data-binary @photo.jpg ${url}/v1/recognize`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    console.error(`cafe serve: ${signal}: finishing requests in flight (another signal exits now)`);
    const force = () => process.exit(130);
    process.once('SIGTERM', force);
    process.once('SIGINT', force);
    await server.close();
    console.error('cafe serve: stopped');
    return 0;
  },
};
