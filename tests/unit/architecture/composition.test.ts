import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));

/** Calls of `name(` in src/, leaving out its definition (`function name(`). */
function callSites(name: string): string[] {
  const call = new RegExp(`(?<!function )\\b${name}\\(`, 'g');
  return files.flatMap((f) => (f.text.match(call) ?? []).map(() => f.path));
}

describe('the composition root', () => {
  it.each([
    'createOneDevClient',
    'createGitEngine',
    'createGitHubClient',
    'createGitHubCredentials',
    'createEngineAccess',
    'createDockerEngine',
  ])('%s is called exactly once in src/, by the root (its adapter part)', (factory) => {
    expect(callSites(factory)).toEqual(['services.adapters.ts']);
  });

  it('builds the git credential for GitHub in one place', () => {
    const building = files.filter((f) => /`x-access-token:\$\{/.test(f.text)).map((f) => f.path);
    expect(building).toEqual(['github/credentials.ts']);
  });
});

describe('adapters', () => {
  const ADAPTERS = ['git', 'github', 'onedev', 'engine'];
  const FORBIDDEN = [
    'config',
    'db',
    'mirrors',
    'sync',
    'sources',
    'webhooks',
    'containers',
    'dashboard',
    'admin',
    'health',
    'metrics',
    'notify',
    'jobs',
    'http',
    'cli',
    'wiring',
  ];
  const adapterFiles = files.filter((f) => ADAPTERS.includes(f.path.split('/')[0] ?? ''));

  it.each(ADAPTERS)('%s/ imports no feature, no config and no db', (adapter) => {
    const offending = adapterFiles
      .filter((f) => f.path.startsWith(`${adapter}/`))
      .flatMap((f) =>
        [...f.text.matchAll(/from '\.\.\/([a-z-]+)\//g)]
          .map((m) => m[1] ?? '')
          .filter((folder) => FORBIDDEN.includes(folder))
          .map((folder) => `${f.path} → ${folder}/`),
      );
    expect(offending).toEqual([]);
  });
});
