import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { servedOpenApiDocument } from '../../../scripts/openapi.js';

interface OpenApiPaths {
  paths: Record<string, Record<string, { parameters?: Array<{ in?: string }> }>>;
}

describe('the served OpenAPI document', () => {
  it('is valid against the OpenAPI 3.1 schema', async () => {
    const document = (await servedOpenApiDocument()) as { openapi: string; [key: string]: unknown };
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);

    // The check has teeth: the same document with one parameter's `in` dropped is refused.
    const broken = structuredClone(document) as unknown as OpenApiPaths;
    const parameter = Object.values(broken.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((operation) => operation.parameters ?? [])[0];
    expect(parameter, 'the document has a parameter to break').toBeDefined();
    delete parameter?.in;
    expect(
      (await new Validator().validate(broken as unknown as Record<string, unknown>)).valid,
    ).toBe(false);
  });
});
