import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mirrorCacheDir } from '../../../src/git/git-cache.js';
import {
  type FakeEngine,
  type FakeEngineFaults,
  startFakeEngine,
} from '../../support/container-engine/index.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { DIALECTS } from '../../support/test-db.js';
import { type Kit, moved, restarts, startKit } from './containers-kit.js';

describe.each(DIALECTS)('rollbacks and order with a fake engine, on %s', (dialect) => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  async function start(faults: FakeEngineFaults, env: Record<string, string> = {}) {
    engine = await startFakeEngine(faults);
    kit = await startKit({
      dialect,
      env: { CONTAINER_SOCKET: engine.socketPath, RESTART_WAIT: '300ms', ...env },
      checkouts: true,
    });
    // The kit gives the first repository GitHub id 1000: the sync's bare cache is this one.
    const cache = mirrorCacheDir(kit.dataDir, 1000);
    const repo = await RepoBuilder.create(dirname(cache), basename(cache));
    return { engine, kit, repo, copy: join(kit.dataDir, 'checkouts', 'web') };
  }

  const head = (dir: string) =>
    execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

  it('a follower that does not come up on the new commit gets the working copy put back, once', async () => {
    const { engine, kit, repo, copy } = await start({});
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    const good = await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
    await kit.sync('acme/web', [moved('refs/heads/main', 'created')]);
    await kit.feature.flush();
    engine.faults.afterRestart = { web: { state: 'exited' } };
    const bad = await repo.commit('main', { files: { 'app.txt': 'v2\n' } });
    const run = await kit.sync('acme/web', [moved('refs/heads/main')]);
    await kit.feature.flush();
    const ledger = await kit.ledger(run);
    expect(ledger.map((e) => e.kind)).toEqual(['checkout', 'restart', 'rollback', 'restart']);
    expect(ledger[2]).toMatchObject({ from: bad, to: good, result: 'not_running' });
    expect(head(copy)).toBe(good);
    expect(engine.byName('web').restarts).toBe(3);
    const listed = await kit.feature.service.list();
    expect(listed[0]?.heldBack).toEqual([
      { repository: 'acme/web', badCommit: bad, goodCommit: good },
    ]);
  });

  it('RESTART_ROLLBACK=off only reports the failure; the working copy stays on the new commit', async () => {
    const { engine, kit, repo, copy } = await start({}, { RESTART_ROLLBACK: 'off' });
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
    await kit.sync('acme/web', [moved('refs/heads/main', 'created')]);
    await kit.feature.flush();
    engine.faults.afterRestart = { web: { state: 'exited' } };
    const bad = await repo.commit('main', { files: { 'app.txt': 'v2\n' } });
    const run = await kit.sync('acme/web', [moved('refs/heads/main')]);
    await kit.feature.flush();
    expect((await kit.ledger(run)).map((e) => e.kind)).toEqual(['checkout', 'restart']);
    expect(restarts(await kit.ledger(run))).toEqual(['web:not_running']);
    expect(head(copy)).toBe(bad);
  });

  it('followers that depend on a failed one are not restarted, with the reason', async () => {
    const { engine, kit, repo } = await start({ afterRestart: { db: { state: 'exited' } } });
    const labels = (order: string) => ({
      'restart-after': 'acme/web',
      'restart-after.order': order,
    });
    engine.add({ name: 'db', labels: labels('1') });
    engine.add({ name: 'app', labels: labels('2') });
    engine.add({ name: 'free', labels: { 'restart-after': 'acme/web' } });
    await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
    const run = await kit.sync('acme/web', [moved('refs/heads/main', 'created')]);
    await kit.feature.flush();
    const ledger = await kit.ledger(run);
    expect(restarts(ledger)).toEqual(['app:skipped', 'db:not_running', 'free:restarted']);
    expect(ledger).toContainEqual(
      expect.objectContaining({
        container: 'app',
        message: 'not restarted: it depends on db, which ended not_running',
      }),
    );
    expect(engine.byName('app').restarts).toBe(0);
  });
});
