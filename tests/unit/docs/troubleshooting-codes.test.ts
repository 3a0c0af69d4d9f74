import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Every error code an operator can meet, read from the code that makes them: the reasons of
 * UpstreamError (GitHub, OneDev, verification), `git_<kind>` for each git failure kind, the
 * sync's fallback code, and the kinds of the GitHub source alerts.
 */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles('src')) {
    const text = read(file);
    for (const [, code] of text.matchAll(/new UpstreamError\(\s*'([a-z_]+)'/g))
      codes.add(code as string);
    for (const [, kind] of text.matchAll(/emit\('alert', \{ kind: '([a-z_]+)'/g))
      codes.add(kind as string);
  }
  const kinds =
    read('src/git/git.port.ts').match(/export type GitFailureKind =([^;]+);/)?.[1] ?? '';
  for (const [, kind] of kinds.matchAll(/'([a-z_]+)'/g)) codes.add(`git_${kind}`);
  for (const [, code] of read('src/sync/retry-policy.ts').matchAll(/code: '([a-z_]+)'/g))
    codes.add(code as string);
  return codes;
}

describe('docs/troubleshooting.md', () => {
  it('explains every error code the code base can produce', () => {
    const codes = codesInSource();
    // The extraction itself must keep finding codes of each family.
    for (const known of [
      'onedev_auth',
      'github_redirect',
      'git_auth',
      'verify_mismatch',
      'internal',
    ])
      expect(codes).toContain(known);
    const doc = read('docs/troubleshooting.md');
    const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``)).sort();
    expect(missing, 'codes not explained in docs/troubleshooting.md').toEqual([]);
  });
});
