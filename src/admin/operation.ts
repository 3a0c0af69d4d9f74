import type { z } from 'zod';

type AnyObject = z.ZodObject;

export interface ResponseSpec {
  description: string;
  /** JSON body; omitted for answers without one. */
  schema?: z.ZodType;
}

/**
 * One admin API operation: where it lives, what it takes and what it answers. The route
 * is registered from it and the OpenAPI document is generated from it, so they cannot
 * drift. Error answers common to every operation (401, 503, 400) are added by both.
 */
export interface Operation<
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  operationId: string;
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form: `/api/v1/mirrors/{owner}/{name}`. */
  path: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success and operation-specific error answers, by status. */
  responses: Record<number, ResponseSpec>;
  /** False for the one public document. */
  auth?: boolean;
}
