// Every failure leaves as JSON { statusCode, error, code, message }: our HttpErrors, Fastify's own 4xx (unsupported
// media type, body too large, schema validation, bad JSON), multipart errors, unknown routes. Unexpected errors are
// logged and answered 500 without internals. The code goes to cafe_errors_total.
import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { HttpError, errorBody } from './http-error.js';

export const errorsPlugin = fp(async (app) => {
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    let status = err.statusCode ?? 500;
    let code = (err as { code?: string }).code ?? 'CAFE_INTERNAL';
    let message = err.message;
    if (err instanceof HttpError) reply.headers(err.headers);
    else if ((err as FastifyError).validation) code = 'CAFE_BAD_REQUEST';
    if (status < 400 || status > 599) status = 500;
    if (status >= 500 && !(err instanceof HttpError)) {
      req.log.error(err);
      message = 'internal error';
      code = 'CAFE_INTERNAL';
    }
    req.errorCode = code;
    reply.code(status).type('application/json').send(errorBody(status, code, message));
  });
  app.setNotFoundHandler((req, reply) => {
    req.errorCode = 'CAFE_NOT_FOUND';
    reply.code(404).send(errorBody(404, 'CAFE_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]} (see GET /openapi.json)`));
  });
}, { name: 'cafe-errors' });
