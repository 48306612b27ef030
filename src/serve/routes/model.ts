// GET /v1/model: what the loaded model is (classes, encoder, training data), read from its model.json.
import type { FastifyPluginAsync } from 'fastify';
import type { ModelInfo } from '../protocol.js';
import type { ResolvedServeOptions } from '../options.js';
import { ALLOWED_FORMATS } from '../image-check.js';

export const modelRoutes: FastifyPluginAsync<{ model: () => ModelInfo; options: ResolvedServeOptions }> = async (app, o) => {
  const str = { type: 'string' } as const;
  const strOrNull = { type: ['string', 'null'] } as const;
  app.get('/v1/model', {
    schema: {
      summary: 'The model being served and the service limits',
      tags: ['inference'],
      security: [{ bearer: [] }],
      response: {
        200: {
          type: 'object',
          required: ['name', 'kind', 'classes', 'trainingData', 'limits'],
          properties: {
            name: str, kind: str, description: strOrNull, classes: { type: 'array', items: str },
            encoder: strOrNull, featureDim: { type: ['integer', 'null'] }, precision: strOrNull, colour: str,
            trainingData: { type: 'array', items: str, description: 'training data specs recorded at export' },
            commit: strOrNull,
            limits: {
              type: 'object',
              properties: {
                maxBodyBytes: { type: 'integer' }, maxPixels: { type: 'integer' }, maxImagesPerRequest: { type: 'integer' },
                maxBatch: { type: 'integer' }, maxWaitMs: { type: 'integer' }, maxQueue: { type: 'integer' }, timeoutMs: { type: 'integer' },
                formats: { type: 'array', items: str },
              },
            },
          },
        },
      },
    },
  }, async () => {
    const { maxBodyBytes, maxPixels, maxImagesPerRequest, maxBatch, maxWaitMs, maxQueue, timeoutMs } = o.options;
    return { ...o.model(), limits: { maxBodyBytes, maxPixels, maxImagesPerRequest, maxBatch, maxWaitMs, maxQueue, timeoutMs, formats: [...ALLOWED_FORMATS] } };
  });
};
