import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/shared/errors.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The one file that turns typed errors into `{ error: { code, message } }` answers. */
const EDGE = 'src/http/error-handler.ts';

describe('the HTTP error edge', () => {
  it('is the only place that builds an error answer', () => {
    const handMade = sourceFiles('src').filter(
      (file) => file !== EDGE && /error:\s*\{\s*code\b|json\(\s*\{\s*error\b/.test(read(file)),
    );
    expect(handMade, 'throw a typed error from src/shared/errors.ts instead').toEqual([]);
  });

  it('has every error code explained to operators', () => {
    const docs = read('docs/admin-api.md') + read('docs/troubleshooting.md');
    const missing = ERROR_CODES.filter((code) => !docs.includes(`\`${code}\``));
    expect(missing, 'codes not in docs/admin-api.md or docs/troubleshooting.md').toEqual([]);
  });
});
