export type ErrorCode =
  | 'ValidationError'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotConfigured'
  | 'Unavailable'
  | 'MigrationError'
  | 'InternalError';

/** The base of every error Starbridge raises on purpose; `status` is its HTTP mapping. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
  readonly details: unknown;
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

/** Turns anything caught into an Error without losing what it was. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
