import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { type Config, loadConfig } from '../../../src/config/config.js';
import { insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
import { buildServices } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { pushCommit, seedRepos } from '../../support/github-double/seed.js';
import type { RepoRecord } from '../../support/github-double/types.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

const APP_ID = '5151';
const BOT = `app-${APP_ID}[bot]`;
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});

/**
 * A repository known only through a GitHub App installation: private, and no GITHUB_TOKEN
 * at all, so only the installation's token can read it. The CLI's foreground sync and the
 * dashboard's freshness check must use it as the service's workers do.
 */
describe.each(DIALECTS)('installation repositories outside the workers on %s', (dialect) => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let dataDir: string;
  let handle: TestDb;
  let repo: RepoRecord;
  let installationId: number;
  let config: Config;
  const lines: string[] = [];

  beforeAll(async () => {
    github = await startGitHubDouble();
    onedev = await startOneDevDouble(STANDARD_CAST);
    github.addApp(APP_ID, publicKey);
    [repo] = (await seedRepos(github, 'acme', ['api'], { private: true })) as [RepoRecord];
    installationId = github.addInstallation(APP_ID, 'acme', ['acme/api']).id;
  });
  afterAll(async () => Promise.all([github.close(), onedev.close()]));
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    dataDir = mkdtempSync(join(tmpdir(), 'starbridge-installation-'));
    lines.length = 0;
    config = loadConfig({
      DATABASE_URL: handle.databaseUrl ?? '',
      DATA_DIR: dataDir,
      GITHUB_API_URL: github.url,
      GITHUB_GIT_URL: github.url,
      GITHUB_APP_ID: APP_ID,
      GITHUB_APP_PRIVATE_KEY: privateKey,
      ONEDEV_URL: onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
    });
    const now = new Date().toISOString();
    await insertMirrorIfAbsent(
      handle.db,
      {
        githubId: repo.id,
        owner: 'acme',
        name: 'api',
        source: 'installation',
        starred: false,
        private: true,
        defaultBranch: 'main',
      },
      now,
    );
    await handle.db
      .updateTable('mirrors')
      .set({ installation_id: installationId })
      .where('github_id', '=', repo.id)
      .execute();
    github.clearRequests();
  });
  afterEach(async () => {
    await handle.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (command: string, args: string[]) =>
    runCommand(command, args, {
      config,
      log: createLogger({ level: 'silent' }),
      out: (line) => lines.push(line),
      serve: async () => 0,
    });

  /** The dashboard's check, as the service builds it. */
  const freshness = async () => {
    const services = buildServices(config, createLogger({ level: 'silent' }), handle);
    const mirror = await services.mirrors.findByName('acme/api');
    if (!mirror || !services.freshness) throw new Error('no mirror or no freshness check');
    return services.freshness(mirror);
  };

  it('`starbridge sync` fetches with the installation token and mirrors the repository', async () => {
    expect(await cli('sync', ['acme/api']), lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/acme\/api: synced in .* → OneDev github\/acme\/api/);
    expect(onedev.projectByPath('github/acme/api')).toBeDefined();
    const git = github.requests.filter((r) => r.kind === 'git' && r.path.startsWith('/acme/api'));
    const fetches = git.filter((r) => !r.path.startsWith('/acme/api.wiki.git'));
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((r) => r.login === BOT && r.status === 200)).toBe(true);
    // The wiki is looked for with the same token (there is none: 404, no error).
    const wiki = git.filter((r) => r.path.startsWith('/acme/api.wiki.git'));
    expect(wiki.length).toBeGreaterThan(0);
    expect(wiki.every((r) => r.login === BOT && r.status === 404)).toBe(true);
  });

  it('the freshness check reads GitHub with the installation token: up to date, then behind', async () => {
    expect(await cli('sync', ['acme/api']), lines.join('\n')).toBe(0);
    expect(await freshness()).toMatchObject({ state: 'up_to_date', branch: 'main' });
    await pushCommit(repo);
    expect(await freshness()).toMatchObject({ state: 'update_available', differingRefs: 1 });
  });
});
