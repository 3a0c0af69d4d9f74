/**
 * Every `code` an error answer can carry, with its usual
 * HTTP status. docs/admin-api.md and docs/troubleshooting.md explain them to operators.
 */
export const ERROR_CODES = [
  /** 400: a parameter, query or body failed validation; the message names each field. */
  'ValidationError',
  /** 400: a request the HTTP layer refused before any route saw it. */
  'BadRequest',
  /** 400: the body is not JSON (or not UTF-8). */
  'InvalidJson',
  /** 400: the body is JSON but not the shape this endpoint takes. */
  'InvalidPayload',
  /** 400: a required request header is missing. */
  'MissingHeader',
  /** 401: no credential, a wrong one, or one in the URL. */
  'Unauthorized',
  /** 401: a webhook whose signature is missing or does not match the secret. */
  'InvalidSignature',
  /** 403 (or an engine's refusal): the caller may not do this. */
  'Forbidden',
  /** 404: no such route or resource. */
  'NotFound',
  /** 405: the path exists, the method does not (the `Allow` header lists those that do). */
  'MethodNotAllowed',
  /** 409: the resource is in a state that refuses the request. */
  'Conflict',
  /** 413: the body is larger than the endpoint takes. */
  'PayloadTooLarge',
  /** 415: the body's content type is not the one the endpoint takes. */
  'UnsupportedMediaType',
  /** 429: too many requests; `Retry-After` says when to try again. */
  'RateLimited',
  /** 503: the feature is off until a setting is made. */
  'NotConfigured',
  /** 502/503/504: an upstream (GitHub, OneDev, git, the engine, the database) failed. */
  'Unavailable',
  /** 500: the database schema could not be migrated. */
  'MigrationError',
  /** 500: a bug; the details are in the server log only. */
  'InternalError',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The base of every error Starbridge raises on purpose; `status` is its HTTP mapping. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; details?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
    this.headers = options?.headers ?? {};
  }
  readonly details: unknown;
  /** Response headers the answer needs (`WWW-Authenticate`, `Allow`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('ValidationError', message, 400, { details });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NotFound', message, 404);
  }
}

export class NotConfiguredError extends AppError {
  constructor(message: string) {
    super('NotConfigured', message, 503);
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('Unavailable', message, 503, { cause });
  }
}

/** A body that is not JSON, or not UTF-8. */
export class InvalidJsonError extends AppError {
  constructor(message: string) {
    super('InvalidJson', message, 400);
  }
}

/** JSON that is not the shape the endpoint takes. */
export class InvalidPayloadError extends AppError {
  constructor(message: string) {
    super('InvalidPayload', message, 400);
  }
}

/** A required request header is missing. */
export class MissingHeaderError extends AppError {
  constructor(message: string) {
    super('MissingHeader', message, 400);
  }
}

/** No credential or a wrong one; `challenge` becomes the `WWW-Authenticate` header. */
export class UnauthorizedError extends AppError {
  constructor(message: string, challenge: string) {
    super('Unauthorized', message, 401, { headers: { 'WWW-Authenticate': challenge } });
  }
}

/** A webhook delivery without a valid signature. */
export class InvalidSignatureError extends AppError {
  constructor(message: string) {
    super('InvalidSignature', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('Forbidden', message, 403);
  }
}

/** A known path asked with a method it does not take. */
export class MethodNotAllowedError extends AppError {
  constructor(message: string, allowed: readonly string[]) {
    super('MethodNotAllowed', message, 405, { headers: { Allow: allowed.join(', ') } });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('Conflict', message, 409);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('PayloadTooLarge', message, 413);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('UnsupportedMediaType', message, 415);
  }
}

/** Too many requests; the client may try again after `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super('RateLimited', message, 429, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/** Turns anything caught into an Error without losing what it was. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
