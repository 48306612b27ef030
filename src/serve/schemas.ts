// JSON schemas shared by the routes: they validate requests, serialise responses (fast-json-stringify) and become
// components of the OpenAPI document (@fastify/swagger), so the document cannot drift from what is served.
import { EXPRESSIONS } from '../labels.js';

const num = { type: 'number' } as const;

export const recognitionSchema = {
  $id: 'Recognition',
  type: 'object',
  description: 'What recognize() returns: the input size and one entry per face, best detection first ([] = no face).',
  required: ['width', 'height', 'faces'],
  properties: {
    width: { type: 'integer', description: 'input width after EXIF rotation' },
    height: { type: 'integer' },
    faces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['box', 'landmarks', 'detectionScore', 'scores', 'label', 'score'],
        properties: {
          box: { type: 'object', required: ['x', 'y', 'width', 'height'], properties: { x: num, y: num, width: num, height: num }, description: 'input pixels; the whole image with detect=false' },
          landmarks: { type: 'array', items: { type: 'object', required: ['x', 'y'], properties: { x: num, y: num } }, description: 'BlazeFace keypoints (eyes, nose, mouth, ears); [] with detect=false' },
          detectionScore: { type: ['number', 'null'], description: 'null with detect=false' },
          scores: { type: 'object', required: [...EXPRESSIONS], properties: Object.fromEntries(EXPRESSIONS.map((e) => [e, num])), description: 'probability per expression' },
          label: { type: 'string', enum: [...EXPRESSIONS] },
          score: num,
        },
      },
    },
  },
} as const;

export const timingsSchema = {
  $id: 'Timings',
  type: 'object',
  description: 'Milliseconds: waiting for a worker, decoding, detection + alignment, the (shared) model call, and the whole request',
  required: ['queueMs', 'decodeMs', 'detectMs', 'inferenceMs', 'totalMs'],
  properties: { queueMs: num, decodeMs: num, detectMs: num, inferenceMs: num, totalMs: num },
} as const;

export const recognizeResponseSchema = {
  $id: 'RecognizeResponse',
  type: 'object',
  required: ['model', 'result', 'timings', 'batchSize'],
  properties: {
    model: { type: 'string', description: 'model name (model.json)' },
    result: { $ref: 'Recognition#' },
    timings: { $ref: 'Timings#' },
    batchSize: { type: 'integer', description: 'images scored in the same model call (dynamic batching)' },
  },
} as const;

export const batchResponseSchema = {
  $id: 'BatchResponse',
  type: 'object',
  required: ['model', 'results'],
  properties: {
    model: { type: 'string' },
    results: {
      type: 'array',
      description: 'one entry per image, in order; a bad image fails its own entry (ok: false, error) and the others are scored',
      items: {
        type: 'object',
        required: ['ok'],
        properties: {
          ok: { type: 'boolean' },
          result: { $ref: 'Recognition#' },
          timings: { $ref: 'Timings#' },
          batchSize: { type: 'integer' },
          error: { $ref: 'Error#' },
        },
      },
    },
  },
} as const;

export const detectQuerySchema = {
  type: 'object',
  properties: { detect: { type: 'boolean', default: true, description: 'false: the image is already a face crop; score it whole' } },
  additionalProperties: false,
} as const;

/** Error responses every inference route can give. */
export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  413: { $ref: 'Error#' },
  415: { $ref: 'Error#' },
  503: { $ref: 'Error#' },
  504: { $ref: 'Error#' },
} as const;
