// POST /v1/recognize (one image) and POST /v1/recognize/batch (several), each accepting a raw image/* body,
// multipart/form-data or JSON base64. The body schemas per content type document all three in OpenAPI; JSON
// bodies are also validated by them.
import type { FastifyPluginAsync } from 'fastify';
import { readImages, type ImageLimits } from '../input.js';
import { scoreImages, type ScoreContext } from '../score.js';
import { errorBody } from '../http-error.js';
import { detectQuerySchema, errorResponses } from '../schemas.js';

export interface RecognizeRouteOptions {
  score: ScoreContext;
  limits: ImageLimits;
  modelName: () => string;
}

const binary = { type: 'string', format: 'binary' } as const;

function bodySchema(batch: boolean) {
  const b64 = { type: 'string', minLength: 1, description: 'base64 of the image file (a data: URL is accepted; URLs are never fetched)' };
  const json = batch
    ? { type: 'object', required: ['images'], additionalProperties: false, properties: { images: { type: 'array', minItems: 1, items: b64 } } }
    : { type: 'object', required: ['image'], additionalProperties: false, properties: { image: b64 } };
  const form = batch
    ? { type: 'object', properties: { images: { type: 'array', items: binary } }, description: 'one file part per image (any field name)' }
    : { type: 'object', properties: { image: binary }, description: 'one file part (any field name)' };
  return {
    content: {
      'application/json': { schema: json },
      // Never validated (the multipart plugin streams the parts; request.body stays empty): for the document only.
      'multipart/form-data': { schema: { ...form, type: ['object', 'null'] } },
      'image/*': { schema: { ...binary, description: 'the image file itself (JPEG, PNG, WebP, GIF, TIFF, AVIF)' } },
    },
  };
}

export const recognizeRoutes: FastifyPluginAsync<RecognizeRouteOptions> = async (app, o) => {
  const security = [{ bearer: [] }];
  app.post('/v1/recognize', {
    schema: {
      summary: 'Faces and expressions in one image',
      description: 'Detects every face, aligns it and scores the 7 expressions (the typed result of recognize()). ?detect=false scores the whole image as one face crop.',
      tags: ['inference'],
      security,
      querystring: detectQuerySchema,
      body: bodySchema(false),
      response: { 200: { $ref: 'RecognizeResponse#' }, ...errorResponses },
    },
  }, async (req, reply) => {
    const { detect } = req.query as { detect: boolean };
    const images = await readImages(req, { ...o.limits, maxImages: 1 });
    const [s] = await scoreImages(o.score, req, reply, images, detect);
    if (!s.ok) throw s.error;
    return { model: o.modelName(), result: s.result, timings: s.timings, batchSize: s.batchSize };
  });

  app.post('/v1/recognize/batch', {
    schema: {
      summary: 'Faces and expressions in several images',
      description: 'Up to maxImagesPerRequest images; each gets its own entry, a bad image fails only its own (ok: false).',
      tags: ['inference'],
      security,
      querystring: detectQuerySchema,
      body: bodySchema(true),
      response: { 200: { $ref: 'BatchResponse#' }, ...errorResponses },
    },
  }, async (req, reply) => {
    const { detect } = req.query as { detect: boolean };
    const images = await readImages(req, o.limits);
    const scored = await scoreImages(o.score, req, reply, images, detect);
    return {
      model: o.modelName(),
      results: scored.map((s) => (s.ok ? s : { ok: false, error: errorBody(s.error.statusCode, s.error.code, s.error.message) })),
    };
  });
};
