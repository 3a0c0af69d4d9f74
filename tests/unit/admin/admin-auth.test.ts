import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { honoPath } from '../../../src/admin/admin.operations.js';
import { tokensEqual } from '../../../src/admin/admin-auth.js';
import { validate } from '../../../src/admin/admin-route.js';
import { ValidationError } from '../../../src/shared/errors.js';

describe('tokensEqual (constant-time bearer comparison)', () => {
  it('is true only for the identical token', () => {
    expect(tokensEqual('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokensEqual('s3cret-token', 's3cret-tokeN')).toBe(false);
    expect(tokensEqual('s3cret-token', 's3cret')).toBe(false);
    expect(tokensEqual('s3cret-token', '')).toBe(false);
    expect(tokensEqual('ünïcødé', 'ünïcødé')).toBe(true);
  });

  it('never throws on different lengths (both sides are fixed-size digests)', () => {
    expect(() => tokensEqual('short', 'x'.repeat(1_000_000))).not.toThrow();
    expect(tokensEqual('short', 'x'.repeat(1_000_000))).toBe(false);
  });
});

describe('validate (zod → ValidationError)', () => {
  const schema = z.object({
    limit: z.coerce.number().int().max(5, 'must be at most 5'),
    name: z.string(),
  });

  it('returns the parsed value', () => {
    expect(validate(schema, { limit: '3', name: 'x' }, 'query')).toEqual({ limit: 3, name: 'x' });
  });

  it('names every field that is wrong, in one message', () => {
    try {
      validate(schema, { limit: '9' }, 'query');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(
        /^invalid query parameters: limit: must be at most 5; name: /,
      );
    }
    expect(() => validate(schema, 'nope', 'body')).toThrow(/^invalid request body: /);
  });
});

describe('honoPath', () => {
  it('turns OpenAPI path parameters into Hono ones', () => {
    expect(honoPath('/api/v1/mirrors/{owner}/{name}/runs')).toBe(
      '/api/v1/mirrors/:owner/:name/runs',
    );
    expect(honoPath('/api/v1/mirrors')).toBe('/api/v1/mirrors');
  });
});
