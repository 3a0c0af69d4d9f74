import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { InvalidJsonError, MethodNotAllowedError, ValidationError } from '../shared/errors.js';
import { honoPath } from './admin.operations.js';
import type { Operation } from './operation.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Input<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

/**
 * Registers one operation on the app: its path and method come from the operation, and
 * its path parameters, query and JSON body are validated with the operation's schemas
 * before the handler runs. Invalid input is a 400 ValidationError naming each field (a
 * body that is not JSON: InvalidJson).
 */
export function register<
  P extends z.ZodObject | undefined,
  Q extends z.ZodObject | undefined,
  B extends z.ZodType | undefined,
>(
  app: Hono,
  operation: Operation<P, Q, B>,
  handler: (input: Input<P, Q, B>, c: Context) => Response | Promise<Response>,
): void {
  app.on(operation.method.toUpperCase(), honoPath(operation.path), async (c) => {
    const params = operation.params ? validate(operation.params, c.req.param(), 'path') : undefined;
    const query = operation.query ? validate(operation.query, c.req.query(), 'query') : undefined;
    const body = operation.body ? validate(operation.body, await jsonBody(c), 'body') : undefined;
    return handler({ params, query, body } as Input<P, Q, B>, c);
  });
}

/**
 * Answers 405 (with `Allow`) for a method an operation's path does not take. Registered
 * after every operation's route, it runs only when none of them matched the request.
 */
export function refuseOtherMethods(app: Hono, all: readonly Operation[]): void {
  const allowed = new Map<string, Set<string>>();
  for (const operation of all) {
    const path = honoPath(operation.path);
    const methods = allowed.get(path) ?? new Set<string>();
    methods.add(operation.method.toUpperCase());
    allowed.set(path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort();
    app.all(path, (c) => {
      throw new MethodNotAllowedError(
        `${c.req.method} is not allowed here; ${c.req.path} takes ${allow.join(', ')}`,
        allow,
      );
    });
  }
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ValidationError('a JSON request body is required');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidJsonError('the request body is not valid JSON');
  }
}

/** Parses with zod; the message lists each problem as `field: problem`. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'path' | 'query' | 'body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new ValidationError(
    `invalid ${where === 'body' ? 'request body' : `${where} parameters`}: ${problems.join('; ')}`,
  );
}
