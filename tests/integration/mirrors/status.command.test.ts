import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import type { MirrorRowUpdate } from '../../../src/db/schema/index.js';
import { insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
import { statusCommand } from '../../../src/mirrors/status.command.js';
import { createLogger } from '../../../src/shared/logger.js';
import { commandDeps } from '../../support/command-deps.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const log = createLogger({ level: 'silent' });

describe.each(DIALECTS)('starbridge status on %s', (dialect) => {
  let handle: TestDb;
  let lines: string[];
  const out = (line: string) => lines.push(line);
  const config = loadConfig({ ONEDEV_URL: 'http://127.0.0.1:9', ONEDEV_TOKEN: 't' });
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    lines = [];
  });
  afterEach(async () => handle.destroy());

  let nextId = 1;
  async function seed(fullName: string, patch: MirrorRowUpdate): Promise<void> {
    const [owner = '', name = ''] = fullName.split('/');
    const githubId = nextId++;
    await insertMirrorIfAbsent(
      handle.db,
      {
        githubId,
        owner,
        name,
        source: 'star',
        starred: true,
        private: false,
        defaultBranch: 'main',
      },
      '2024-05-01T10:00:00.000Z',
    );
    await handle.db.updateTable('mirrors').set(patch).where('github_id', '=', githubId).execute();
  }

  it('prints mirrors by status and the latest failures with attempts and last error', async () => {
    await seed('a/one', { status: 'synced' });
    await seed('a/two', { status: 'synced' });
    await seed('a/three', { status: 'queued' });
    await seed('b/old-failure', {
      status: 'failed',
      attempts: 10,
      last_error: 'could not reach GitHub (gave up after 10 attempts)',
      last_error_code: 'git_network',
      last_attempt_at: '2024-05-01T09:00:00.000Z',
    });
    await seed('b/new-failure', {
      status: 'failed',
      attempts: 1,
      last_error: 'OneDev rejected the access token\nsecond line',
      last_error_code: 'onedev_auth',
      last_attempt_at: '2024-05-02T09:00:00.000Z',
    });
    await seed('c/later', {
      status: 'retrying',
      attempts: 2,
      last_error: 'timeout',
      last_error_code: 'git_timeout',
      last_attempt_at: '2024-05-01T12:00:00.000Z',
      next_attempt_at: '2024-05-01T12:05:00.000Z',
    });
    expect(await statusCommand([], commandDeps({ config, handle, log, out }))).toBe(0);
    expect(lines).toEqual([
      'mirrors: 6',
      '  synced    2',
      '  queued    1',
      '  retrying  1',
      '  failed    2',
      'latest failures (3):',
      '  b/new-failure [failed, 1 attempt(s)]',
      '    onedev_auth: OneDev rejected the access token second line',
      '  c/later [retrying, 2 attempt(s), next attempt 2024-05-01T12:05:00.000Z]',
      '    git_timeout: timeout',
      '  b/old-failure [failed, 10 attempt(s)]',
      '    git_network: could not reach GitHub (gave up after 10 attempts)',
    ]);
  });

  it('says so when there are no failures, and when OneDev is not configured', async () => {
    await seed('a/one', { status: 'queued' });
    expect(await statusCommand([], commandDeps({ config: loadConfig({}), handle, log, out }))).toBe(
      0,
    );
    expect(lines).toEqual([
      'mirrors: 1',
      '  queued    1',
      'note: ONEDEV_URL and ONEDEV_TOKEN are not set, so nothing is synced',
      'no failures',
    ]);
  });

  it('answers extra arguments with usage and 64', async () => {
    expect(await statusCommand(['--all'], commandDeps({ config, handle, log, out }))).toBe(64);
    expect(lines).toEqual(['usage: starbridge status [--mirrors]']);
  });

  it('runs through runCommand on the configured database', async (context) => {
    if (!handle.databaseUrl) context.skip(); // in-process PGlite has no URL to configure
    await seed('a/one', { status: 'synced' });
    const cliConfig = loadConfig({ DATABASE_URL: handle.databaseUrl });
    const errors: string[] = [];
    const err = (line: string) => errors.push(line);
    const ctx = { config: cliConfig, log, out, err, serve: async () => 0 };
    expect(await runCommand('status', [], ctx)).toBe(0);
    expect(lines).toContain('mirrors: 1');
    lines = [];
    expect(await runCommand('sync', [], ctx)).toBe(64);
    // A usage error goes to stderr, so stdout stays clean for scripts.
    expect(errors.join('\n')).toMatch(/usage: starbridge sync/);
    expect(lines).toEqual([]);
  });
});
