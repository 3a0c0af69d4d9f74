import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitEngine } from '../../../src/git/git.adapter.js';
import { createLfsEngine } from '../../../src/git/lfs.adapter.js';
import { lfsHealthProbe } from '../../../src/health/lfs-health.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';
import { commitLfsFiles, lfsPointer, lfsSkipReason } from '../../support/lfs.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';
import { SOURCE_TOKEN, spawnSpy } from './git-fixtures.js';

const skip = lfsSkipReason();

describe.skipIf(skip !== undefined)('LFS engine on git-lfs', () => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let dir: string;
  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [SOURCE_TOKEN]: 'octocat' } });
    onedev = await startOneDevDouble(STANDARD_CAST);
    dir = mkdtempSync(join(tmpdir(), 'starbridge-lfs-engine-'));
  });
  afterEach(async () => {
    await Promise.all([github.close(), onedev.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches, pushes by object id and asks the batch API, with the credential only in the environment and only for the remote URL', async () => {
    github.addRepo({ owner: 'octocat', name: 'media', private: true });
    const repo = new RepoBuilder(github.repoPath('octocat', 'media'));
    const made = await commitLfsFiles(repo, github.lfs('octocat/media'), 'main', ['a.bin']);
    await repo.branch('other', 'main');
    await commitLfsFiles(repo, github.lfs('octocat/media'), 'other', ['a.bin', 'b.bin']);
    const spy = spawnSpy();
    const options = { homeDir: join(dir, 'home'), allowHttp: true, spawn: spy.spawn };
    const gitEngine = createGitEngine(options);
    const lfs = createLfsEngine(options);
    const cache = join(dir, 'cache.git');
    const sourceUrl = `${github.url}/octocat/media.git`;
    const source = { url: sourceUrl, authorization: `Bearer ${SOURCE_TOKEN}` };
    await gitEngine.fetchToCache(cache, source);

    const before = await lfs.scan(cache);
    expect(before.objects).toHaveLength(3);
    expect(before.missingLocally).toHaveLength(3);
    await lfs.fetch(cache, source);
    expect((await lfs.scan(cache)).missingLocally).toEqual([]);

    await onedev.addProject('x/media');
    const target = { url: `${onedev.url}/x/media.git`, authorization: `Bearer ${TOKENS.admin}` };
    const objects = before.objects;
    expect((await lfs.holding(target, objects)).held).toEqual([]);
    const oid = made.objects[0]?.oid ?? '';
    await lfs.push(cache, target, [oid]);
    expect(await onedev.lfs('x/media').oids()).toEqual([oid]);
    const holding = await lfs.holding(target, objects);
    expect(holding.held).toEqual([oid]);
    expect(holding.missing.map((m) => m.code)).toEqual([404, 404]);

    const lfsCalls = spy.calls.filter((c) => c.args.includes('lfs'));
    expect(lfsCalls.length).toBeGreaterThan(0);
    for (const call of lfsCalls) {
      const argv = call.args.join(' ');
      expect(argv).not.toContain(SOURCE_TOKEN);
      expect(argv).not.toContain(TOKENS.admin);
      const config = Object.entries(call.env).filter(([k]) => k.startsWith('GIT_CONFIG_KEY_'));
      // Never the unscoped header: git-lfs would send it to every transfer link.
      expect(config.map(([, v]) => v)).not.toContain('http.extraHeader');
    }
    const fetchCall = lfsCalls.find((c) => c.args.includes('fetch'));
    const keys = Object.entries(fetchCall?.env ?? {});
    const scoped = keys.find(([, v]) => v === `http.${sourceUrl}.extraHeader`);
    expect(scoped).toBeDefined();
    const index = scoped?.[0].slice('GIT_CONFIG_KEY_'.length);
    expect(fetchCall?.env[`GIT_CONFIG_VALUE_${index}`]).toBe(
      `Authorization: Bearer ${SOURCE_TOKEN}`,
    );
  });

  it('refuses a push of something that is not an object id, before running git-lfs', async () => {
    const lfs = createLfsEngine({ homeDir: join(dir, 'home'), allowHttp: true });
    const target = { url: `${onedev.url}/x/media.git` };
    await expect(lfs.push(join(dir, 'c.git'), target, ['--all'])).rejects.toThrow(
      'not an LFS object id',
    );
    expect(lfsPointer('x').oid).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports the git-lfs version, or none when git-lfs is not on PATH; /health says so', async () => {
    const installed = createLfsEngine({ homeDir: join(dir, 'home'), allowHttp: false });
    const version = await installed.version();
    expect(version).toMatch(/^\d+\.\d+/);
    // A PATH with git only: `git lfs` then finds no git-lfs.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync('/usr/bin/git', join(bin, 'git'));
    const missing = createLfsEngine({ homeDir: join(dir, 'home'), allowHttp: false, path: bin });
    expect(await missing.version()).toBeUndefined();

    const ok = await lfsHealthProbe({ enabled: true, version: () => installed.version() }).check();
    expect(ok).toEqual({ status: 'ok', version });
    const off = await lfsHealthProbe({ enabled: true, version: () => missing.version() }).check();
    expect(off.status).toBe('degraded');
    expect(off.message).toContain('git-lfs is not installed, so LFS mirroring is off');
    const disabled = await lfsHealthProbe({ enabled: false, version: () => installed.version() });
    expect((await disabled.check()).status).toBe('not_configured');
  });
});
