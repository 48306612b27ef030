// The one error shape the service answers with: { statusCode, error, code, message }, the fields Fastify's own
// errors (415, 413, 408, validation) already carry, so a client reads every failure the same way. `code` is the
// machine-readable kind (also the label of cafe_errors_total).
import { STATUS_CODES } from 'node:http';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. Retry-After on 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
}

/** JSON schema of ErrorBody (every 4xx/5xx response). */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every failure: HTTP status, its name, a machine-readable code and a sentence naming the problem.',
  required: ['statusCode', 'error', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string', examples: ['CAFE_IMAGE_FORMAT', 'CAFE_QUEUE_FULL', 'FST_ERR_CTP_INVALID_MEDIA_TYPE'] },
    message: { type: 'string' },
  },
} as const;
