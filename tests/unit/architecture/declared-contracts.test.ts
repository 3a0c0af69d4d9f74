import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Public types still inferred from their factory, each on its way to a declared interface. */
const NOT_YET_DECLARED = new Set<string>([]);

describe('public service types', () => {
  it('are declared interfaces, not the inferred return type of their factory', () => {
    const inferred = sourceFiles('src').filter(
      (file) =>
        !NOT_YET_DECLARED.has(file) &&
        /export type \w+ = ReturnType<typeof \w+>/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(inferred, 'declare an interface with a one-line doc per member').toEqual([]);
  });
});
