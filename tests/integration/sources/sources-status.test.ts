import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { statusCommand } from '../../../src/mirrors/status.command.js';
import { createLogger } from '../../../src/shared/logger.js';
import { reconcileCommand } from '../../../src/sources/reconcile.command.js';
import { commandDeps } from '../../support/command-deps.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const TOKEN = 'ghp_statusCommandToken00000000000000000000';
const EXPIRES = new Date('2031-02-03T04:05:06Z');
const log = createLogger({ level: 'silent' });
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

let github: GitHubDouble;
let dataDir: string;
beforeAll(async () => {
  github = await startGitHubDouble({ tokens: { [TOKEN]: 'octocat' } });
  for (const name of ['api', 'docs', 'queue', 'web']) {
    github.addRepo({ owner: 'st', name });
    github.star('octocat', `st/${name}`);
  }
  github.setTokenExpiration(TOKEN, EXPIRES);
  dataDir = mkdtempSync(join(tmpdir(), 'starbridge-status-'));
});
afterAll(async () => {
  await github.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(DIALECTS)('the GitHub sources in starbridge status on %s', (dialect) => {
  let handle: TestDb;
  let lines: string[];
  const out = (line: string) => lines.push(line);
  let config: ReturnType<typeof loadConfig>;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    lines = [];
    config = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_TOKEN: TOKEN,
      DATA_DIR: dataDir,
    });
  });
  afterEach(async () => handle.destroy());

  const set = (name: string, patch: Record<string, unknown>) =>
    handle.db.updateTable('mirrors').set(patch).where('full_name', '=', name).execute();

  it('shows the poller, refresh, the token expiry and, with --mirrors, each mirror and its next refresh', async () => {
    expect(await reconcileCommand([], commandDeps({ config, handle, log, out: () => {} }))).toBe(0);
    await set('st/api', { status: 'synced', next_refresh_at: '2030-01-01T00:05:00.000Z' });
    await set('st/docs', { status: 'synced', archived: 1 });
    await set('st/web', { status: 'paused', starred: 0, paused_reason: 'unstarred on GitHub' });

    expect(await statusCommand(['--mirrors'], commandDeps({ config, handle, log, out }))).toBe(0);
    expect(lines).toEqual([
      'mirrors: 4',
      '  synced    2',
      '  queued    1',
      '  paused    1',
      expect.stringMatching(
        new RegExp(`^stars poller: octocat; last ${ISO} \\(4 added\\); next at start$`),
      ),
      'refresh: last never; next at start',
      `github token: expires ${EXPIRES.toISOString()}`,
      'each mirror (source, starred, next refresh):',
      '  st/api [synced] source star, starred; next refresh 2030-01-01T00:05:00.000Z',
      '  st/docs [synced] source star, starred; not refreshed (archived)',
      '  st/queue [queued] source star, starred; refreshed once synced',
      '  st/web [paused] source star; not refreshed (paused)',
      'paused mirrors (1):',
      '  st/web [source star, starred false] unstarred on GitHub',
      'note: ONEDEV_URL and ONEDEV_TOKEN are not set, so nothing is synced',
      'no failures',
    ]);

    // Without --mirrors, no per-mirror lines.
    lines = [];
    expect(await statusCommand([], commandDeps({ config, handle, log, out }))).toBe(0);
    expect(lines.some((l) => l.startsWith('each mirror'))).toBe(false);
    expect(lines).toContain(`github token: expires ${EXPIRES.toISOString()}`);
  });

  it('says who paused a mirror by hand, and when', async () => {
    expect(await reconcileCommand([], commandDeps({ config, handle, log, out: () => {} }))).toBe(0);
    await set('st/api', {
      status: 'paused',
      paused_reason: 'paused by an operator',
      paused_by: 'admin API',
      paused_at: '2030-01-01T00:00:00.000Z',
    });
    expect(await statusCommand([], commandDeps({ config, handle, log, out }))).toBe(0);
    expect(lines).toContain(
      '  st/api [source star, starred true] paused by an operator (by admin API, 2030-01-01T00:00:00.000Z)',
    );
  });

  it('shows a paused poller and its reason', async () => {
    const rejected = loadConfig({
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: 'ghp_rejectedByTheDouble000000000000000000',
      DATA_DIR: dataDir,
    });
    expect(
      await reconcileCommand([], commandDeps({ config: rejected, handle, log, out: () => {} })),
    ).toBe(1);
    expect(await statusCommand([], commandDeps({ config: rejected, handle, log, out }))).toBe(0);
    expect(lines).toEqual([
      'mirrors: 0',
      expect.stringMatching(
        /^stars poller: \(token user\); last .* \(token rejected\); next at start$/,
      ),
      expect.stringMatching(/^ {2}PAUSED: GitHub rejected the token \(401 Bad credentials\)/),
      'refresh: last never; next at start',
      'note: ONEDEV_URL and ONEDEV_TOKEN are not set, so nothing is synced',
      'no failures',
    ]);
  });
});
