import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, servedOpenApiDocument } from '../../../scripts/openapi.js';

describe('docs/openapi.json', () => {
  it('is the document the service serves at /api/v1/openapi.json (regenerate: npm run openapi)', async () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as unknown;
    const served = (await servedOpenApiDocument()) as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths)).toContain('/api/v1/mirrors');
    expect(committed).toEqual(served);
  });
});
