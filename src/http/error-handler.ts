import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** The one place errors become HTTP answers: `{ error: { code, message } }`. */
export function errorHandler(log: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof AppError) {
      return c.json({ error: { code: error.code, message: error.message } }, error.status as 400);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      return c.json(
        { error: { code: httpCode(status), message: error.message || 'request failed' } },
        status,
      );
    }
    log.error({ err: error, path: c.req.path }, 'unhandled error');
    // Never echo an unknown error's message: it may carry internals.
    return c.json(
      { error: { code: 'InternalError', message: 'internal error; see the server log' } },
      500,
    );
  };
}

function httpCode(status: number): string {
  if (status === 413) return 'PayloadTooLarge';
  if (status === 401) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  return status < 500 ? 'BadRequest' : 'InternalError';
}
