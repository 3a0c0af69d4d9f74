import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/shared/logger.js';
import { reconcileCommand } from '../../../src/sources/reconcile.command.js';
import { commandDeps } from '../../support/command-deps.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const TOKEN = 'ghp_reconcileCommandToken000000000000000';
const log = createLogger({ level: 'silent' });
const at = (i: number) => new Date(Date.parse('2024-03-01T00:00:00Z') + i * 60_000);

let github: GitHubDouble;
let dataDir: string;
beforeAll(async () => {
  github = await startGitHubDouble({ tokens: { [TOKEN]: 'octocat' } });
  for (const name of ['one', 'two', 'three']) github.addRepo({ owner: 'cli', name });
  dataDir = mkdtempSync(join(tmpdir(), 'starbridge-reconcile-'));
});
afterAll(async () => {
  await github.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(DIALECTS)('starbridge reconcile on %s', (dialect) => {
  let handle: TestDb;
  let lines: string[];
  const out = (line: string) => lines.push(line);
  const env = (extra: Record<string, string> = {}) =>
    loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN: TOKEN,
      DATA_DIR: dataDir,
      ...extra,
    });
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    lines = [];
    github.state.stars.clear();
    for (const [i, name] of ['one', 'two', 'three'].entries())
      github.star('octocat', `cli/${name}`, at(i));
  });
  afterEach(async () => handle.destroy());
  const rows = () =>
    handle.db.selectFrom('mirrors').select(['full_name', 'starred', 'status']).execute();

  it('--dry-run prints the plan and changes nothing; without it the stars are mirrored', async () => {
    const deps = commandDeps({ config: env(), handle, log, out });
    expect(await reconcileCommand(['--dry-run'], deps)).toBe(0);
    expect(lines).toEqual([
      'plan (dry run, nothing changed):',
      '  to add:    3',
      '    + cli/three',
      '    + cli/two',
      '    + cli/one',
      '  to unstar: 0',
      '  unchanged: 0',
    ]);
    expect(await rows()).toEqual([]);

    lines = [];
    expect(await reconcileCommand([], deps)).toBe(0);
    expect(lines[0]).toBe('reconciled:');
    expect(lines.at(-1)).toBe('reconcile: 3 added');
    expect(await rows()).toHaveLength(3);

    github.unstar('octocat', 'cli/two');
    lines = [];
    expect(await reconcileCommand(['--dry-run'], deps)).toBe(0);
    expect(lines).toEqual([
      'plan (dry run, nothing changed):',
      '  to add:    0',
      '  to unstar: 1',
      '    - cli/two',
      '  unchanged: 2',
    ]);
    expect((await rows()).every((r) => r.starred === 1)).toBe(true);
  });

  it('exits 1 with the reason when the token is rejected or no stars source is set; 64 on bad usage', async () => {
    const rejected = { config: env({ GITHUB_TOKEN: 'ghp_notKnownToGitHub00000000000000000000' }) };
    expect(await reconcileCommand([], commandDeps({ ...rejected, handle, log, out }))).toBe(1);
    expect(lines).toEqual([
      'reconcile: paused',
      expect.stringMatching(/^starbridge reconcile: GitHub rejected the token \(401/),
    ]);
    expect(lines.join('\n')).not.toContain('ghp_');

    lines = [];
    const none = loadConfig({ GITHUB_API_URL: github.url, DATA_DIR: dataDir });
    expect(await reconcileCommand([], commandDeps({ config: none, handle, log, out }))).toBe(1);
    expect(lines).toEqual([
      'starbridge reconcile: the stars poller is off: set GITHUB_TOKEN or GITHUB_STARS_USER',
    ]);

    lines = [];
    expect(
      await reconcileCommand(['--force'], commandDeps({ config: env(), handle, log, out })),
    ).toBe(64);
    expect(lines).toEqual(['usage: starbridge reconcile [--dry-run]']);
    expect(await rows()).toEqual([]);
  });

  it('runs through runCommand on the configured database', async (context) => {
    if (!handle.databaseUrl) context.skip(); // in-process PGlite has no URL to configure
    const config = env({ DATABASE_URL: handle.databaseUrl as string });
    expect(
      await runCommand('reconcile', ['--dry-run'], { config, log, out, serve: async () => 0 }),
    ).toBe(0);
    expect(lines).toContain('  to add:    3');
  });
});
