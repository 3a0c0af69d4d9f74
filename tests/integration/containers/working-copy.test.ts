import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Kit, moved, restarts, startKit } from './containers-kit.js';

describe('working copies, updated from the bare cache before the restart', () => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  /** A fake engine whose `web` container notes what app.txt held as it restarted. */
  async function start(label: string) {
    const seen: string[] = [];
    engine = await startFakeEngine({ onRestart: () => seen.push(read(copyPath(), 'app.txt')) });
    engine.add({ name: 'web', labels: { 'restart-after': label } });
    const started = await startKit({
      dialect: 'sqlite',
      env: { CONTAINER_SOCKET: engine.socketPath },
      checkouts: true,
    });
    kit = started;
    // The kit gives the first repository GitHub id 1000: the sync's bare cache is this one.
    const repo = await RepoBuilder.create(join(started.dataDir, 'cache'), '1000.git');
    return { kit: started, repo, seen };
  }
  const copyPath = () => join(kit?.dataDir ?? '', 'checkouts', 'web');

  it('creates it, then updates tracked files and leaves untracked ones alone', async () => {
    const { kit, repo, seen } = await start('acme/web');
    await repo.commit('main', { files: { 'app.txt': 'v1\n', 'old.txt': 'bye\n' } });
    const first = await kit.sync('acme/web', [moved('refs/heads/main', 'created')]);
    await kit.feature.flush();
    expect(read(copyPath(), 'app.txt')).toBe('v1\n');
    writeFileSync(join(copyPath(), 'uploads.db'), 'user data');
    writeFileSync(join(copyPath(), 'app.txt'), 'edited in place\n');

    const head = await repo.commit('main', { files: { 'app.txt': 'v2\n', 'old.txt': null } });
    const second = await kit.sync('acme/web', [moved('refs/heads/main')]);
    await kit.feature.flush();
    expect(read(copyPath(), 'app.txt')).toBe('v2\n');
    expect(existsSync(join(copyPath(), 'old.txt'))).toBe(false);
    expect(read(copyPath(), 'uploads.db')).toBe('user data');
    expect(seen).toEqual(['v1\n', 'v2\n']);
    expect(restarts(await kit.ledger(first))).toEqual(['web:restarted']);
    expect(await kit.ledger(second)).toContainEqual({
      kind: 'checkout',
      result: 'updated',
      path: copyPath(),
      branch: 'main',
      commit: head,
    });
  });

  it('follows the branch the label names', async () => {
    const { kit, repo } = await start('acme/web@release');
    await repo.commit('main', { files: { 'app.txt': 'main\n' } });
    await repo.commit('release', { files: { 'app.txt': 'release\n' } });
    await kit.sync('acme/web', [moved('refs/heads/release', 'created')]);
    await kit.feature.flush();
    expect(read(copyPath(), 'app.txt')).toBe('release\n');
  });

  it('refuses a folder that is not its working copy, and restarts anyway', async () => {
    const { kit, repo } = await start('acme/web');
    mkdirSync(copyPath(), { recursive: true });
    writeFileSync(join(copyPath(), 'precious.txt'), 'mine');
    await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
    const run = await kit.sync('acme/web', [moved('refs/heads/main', 'created')]);
    await kit.feature.flush();
    const ledger = await kit.ledger(run);
    expect(ledger).toContainEqual(
      expect.objectContaining({
        kind: 'checkout',
        result: 'failed',
        message: expect.stringMatching(/is not a Starbridge working copy/),
      }),
    );
    expect(restarts(ledger)).toEqual(['web:restarted']);
    expect(read(copyPath(), 'precious.txt')).toBe('mine');
  });
});

function read(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return 'missing';
  }
}
