import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mirrorCacheDir } from '../../../src/git/git-cache.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Kit, moved, restarts, startKit } from './containers-kit.js';
import { type ContainersPipeline, startContainersPipeline } from './containers-pipeline.js';

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
    const cache = mirrorCacheDir(started.dataDir, 1000);
    const repo = await RepoBuilder.create(dirname(cache), basename(cache));
    return { kit: started, repo, seen };
  }
  const copyPath = () => join(kit?.dataDir ?? '', 'checkouts', 'web');

  it('creates it, then updates tracked files and leaves untracked ones alone', async () => {
    const { kit, repo, seen } = await start('acme/web');
    const v1 = await repo.commit('main', { files: { 'app.txt': 'v1\n', 'old.txt': 'bye\n' } });
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
      previous: v1,
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

describe('a working copy after a real sync of a push', () => {
  let engine: FakeEngine | undefined;
  let kit: ContainersPipeline | undefined;
  let checkouts: string | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    if (checkouts) rmSync(checkouts, { recursive: true, force: true });
    kit = engine = checkouts = undefined;
  });

  it('shows the pushed commit before the follower restarts, and keeps untracked files', async () => {
    checkouts = mkdtempSync(join(tmpdir(), 'sb-checkouts-'));
    const copy = join(checkouts, 'app');
    /** What the container would find in its mount at the moment it is restarted. */
    const atRestart: Array<{ head: string; app: string; upload: string }> = [];
    engine = await startFakeEngine({
      onRestart: () =>
        atRestart.push({
          head: headOf(copy),
          app: read(copy, 'app.txt'),
          upload: read(copy, 'uploads/avatar.png'),
        }),
    });
    engine.add({ name: 'site', labels: { 'restart-after': 'acme/app' } });
    kit = await startContainersPipeline({
      dialect: 'sqlite',
      env: { CONTAINER_SOCKET: engine.socketPath, CHECKOUT_DIR: checkouts },
    });

    const mirror = await kit.mirrored('app');
    await kit.feature.flush();
    expect(read(copy, 'app.txt')).toBe('v1\n');
    mkdirSync(join(copy, 'uploads'));
    writeFileSync(join(copy, 'uploads', 'avatar.png'), 'user upload');

    const pushed = await kit.pushAndSync(mirror, 'app');
    await kit.feature.flush();
    const [, second] = atRestart;
    expect(atRestart).toHaveLength(2);
    expect(second).toEqual({ head: pushed.commit, app: pushed.content, upload: 'user upload' });
    // The ledger keeps the order too: the checkout, then the restart.
    const ledger = await kit.ledger(mirror.id, pushed.run);
    expect(ledger.map((e) => (e.kind === 'restart' ? `restart ${e.container}` : e.kind))).toEqual([
      'checkout',
      'restart site',
    ]);
    expect(ledger[0]).toEqual({
      kind: 'checkout',
      result: 'updated',
      path: copy,
      branch: 'main',
      commit: pushed.commit,
      previous: atRestart[0]?.head,
    });
    // The mirror's bare cache, which the sync fetched into, is where the checkout came from.
    const cache = mirrorCacheDir(kit.p.dataDir, mirror.id);
    expect(
      execFileSync('git', ['--git-dir', cache, 'rev-parse', 'refs/heads/main'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe(pushed.commit);
    expect(read(copy, 'uploads/avatar.png')).toBe('user upload');
  });
});

function headOf(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'missing';
  }
}

function read(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return 'missing';
  }
}
