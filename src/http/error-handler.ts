import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode, NotFoundError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/**
 * The one place errors become HTTP answers: `{ error: { code, message } }`. Routes and
 * middleware throw typed errors (`AppError` and its kinds); this turns them into answers.
 */
export function errorHandler(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof AppError) return errorResponse(c, error);
    if (error instanceof HTTPException) {
      const status = error.status;
      const code = HTTP_CODES[status] ?? (status < 500 ? 'BadRequest' : 'InternalError');
      return answer(c, code, error.message || 'request failed', status);
    }
    log.error({ err: error, path: c.req.path }, 'unhandled error');
    // Never echo an unknown error's message: it may carry internals.
    return answer(c, 'InternalError', 'internal error; see the server log', 500);
  };
}

/** The answer for a request no route takes (Hono's not-found hook answers, it cannot throw). */
export function notFoundHandler(c: Context): Response {
  return errorResponse(c, new NotFoundError(`no route for ${c.req.method} ${c.req.path}`));
}

/** The answer for one typed error, with the headers it needs. */
export function errorResponse(c: Context, error: AppError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return answer(c, error.code, error.message, error.status as ContentfulStatusCode);
}

function answer(c: Context, code: ErrorCode, message: string, status: ContentfulStatusCode) {
  return c.json({ error: { code, message } }, status);
}

/** Codes for the statuses Hono's own middleware can raise. */
const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'RateLimited',
};
