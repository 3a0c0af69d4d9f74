import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerEvents } from '../../../src/containers/containers.events.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createSourcesEvents } from '../../../src/sources/sources.events.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { startNotifications } from '../../../src/wiring/notify.js';
import { eventually } from '../../support/eventually.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { pushWithToken, runGit, TOKENS } from '../../support/onedev-double/test-kit.js';
import { headsAndTags } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { manualClock, type SourcesPipeline, startSourcesPipeline } from '../sources/sources-kit.js';

/**
 * The mirror guard and the drift alarm (docs/reference/onedev.md#protection-rules,
 * #project-setting): with the guard on, OneDev itself refuses a push by anyone but
 * Starbridge's account; with it off, such a push lands and the next refresh undoes it,
 * records it in the run ledger, counts it and sends one notification.
 */

const OWNER = 'octocat';

interface HealthJson {
  status: string;
  components: Record<string, Record<string, unknown> & { message?: string }>;
}
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A GitHub repository with two branches and a tag, starred so the poller mirrors it. */
async function mirrored(p: SourcesPipeline, name: string) {
  const record = p.github.addRepo({ owner: OWNER, name });
  const repo = new RepoBuilder(p.github.repoPath(OWNER, name));
  await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
  await repo.branch('release', 'main');
  await repo.tag('v1', 'main');
  p.github.star(OWNER, `${OWNER}/${name}`);
  await p.sources.poller.full();
  await p.waitSynced(1);
  return { record, repo, path: `github/${OWNER}/${name}` };
}

/** A clone of the OneDev mirror to push from, as the admin reads it. */
async function cloneOf(p: SourcesPipeline, path: string): Promise<string> {
  const dir = `${p.dataDir}/work-${Math.random().toString(36).slice(2)}`;
  const auth = `http.extraHeader=Authorization: Bearer ${TOKENS.admin}`;
  const cloned = await runGit(['-c', auth, 'clone', '-q', `${p.onedev.url}/${path}.git`, dir]);
  expect(cloned.code, cloned.stderr).toBe(0);
  await runGit(
    [
      '-c',
      'user.name=Bob',
      '-c',
      'user.email=bob@example.com',
      'commit',
      '--allow-empty',
      '-q',
      '-m',
      'stray',
    ],
    dir,
  );
  return dir;
}

async function receiver() {
  const bodies: Array<{ kind: string; text: string; refs?: unknown[] }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe.each(DIALECTS)('mirror guard and drift on %s', (dialect) => {
  async function start(env: Record<string, string>, onedevToken?: string) {
    const clock = manualClock(Date.parse('2026-12-01T00:00:00Z'));
    const p = await startSourcesPipeline({
      dialect,
      clock,
      env: { REFRESH_INTERVAL: '1m', REFRESH_MAX_INTERVAL: '1m', ...env },
      onedevToken,
    });
    cleanups.push(() => p.close());
    return { p, clock };
  }

  it('guards a mirror after its first sync, keeping a rule a person added, and never duplicates it', async () => {
    const { p, clock } = await start({});
    // A person protected `release` for alice before Starbridge's first sync.
    await p.onedev.addProject(`github/${OWNER}/guarded`, { owner: 'admin' });
    const personal = { branches: 'release', userMatch: 'user(alice)', preventCreation: false };
    p.onedev.setBranchProtection(`github/${OWNER}/guarded`, personal);
    const { repo, path } = await mirrored(p, 'guarded');

    const setting = p.onedev.setting(path);
    expect(setting.branchProtections).toHaveLength(2);
    expect(setting.branchProtections[0]).toMatchObject({
      enabled: true,
      branches: '**',
      userMatch: 'anyone except user(admin)',
      preventCreation: true,
      preventDeletion: true,
      preventForcedPush: true,
      reviewRequirement: 'user(admin)',
    });
    expect(setting.branchProtections[1]).toMatchObject(personal);
    expect(setting.tagProtections).toEqual([
      expect.objectContaining({
        tags: '**',
        userMatch: 'anyone except user(admin)',
        preventCreation: true,
        preventDeletion: true,
        preventUpdate: true,
      }),
    ]);

    // Starbridge's own pushes still go through, and a later check finds the rule in place.
    await repo.commit('main', { files: { 'more.txt': 'more\n' } });
    clock.advance(2 * 3_600_000);
    const next = p.nextSync((await p.mirrors.findByName(`${OWNER}/guarded`))!.githubId);
    await p.mirrors.syncById((await p.mirrors.findByName(`${OWNER}/guarded`))!.githubId);
    expect((await next).result).toBe('synced');
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));
    expect(p.onedev.setting(path).branchProtections).toHaveLength(2);
    expect(p.onedev.setting(path).tagProtections).toHaveLength(1);
    const health = (await (await p.app.request('/health')).json()) as HealthJson;
    expect(health.components.onedev_guard).toMatchObject({ status: 'ok', state: 'ok' });
  });

  it('has OneDev refuse a push by another user with write access, as OneDev words it', async () => {
    const { p } = await start({});
    const { path } = await mirrored(p, 'locked');
    p.onedev.grant('bob', path, 'write');
    const before = await p.onedev.refs(path);
    const dir = await cloneOf(p, path);
    const url = `${p.onedev.url}/${path}.git`;

    const created = await pushWithToken(dir, url, TOKENS.bob, ['HEAD:refs/heads/stray']);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain('remote: *  ERROR PUSHING REF: refs/heads/stray');
    expect(created.stderr).toContain(
      'remote: *  Cannot create this branch according to branch protection setting',
    );
    expect(created.stderr).toContain('pre-receive hook declined');

    const forward = await pushWithToken(dir, url, TOKENS.bob, ['HEAD:refs/heads/main']);
    expect(forward.code).not.toBe(0);
    expect(forward.stderr).toContain(
      'remote: *  Review required for your change. Please submit pull request instead',
    );

    await runGit(['tag', '-f', 'v1', 'HEAD'], dir);
    const moved = await pushWithToken(dir, url, TOKENS.bob, ['+refs/tags/v1']);
    expect(moved.stderr).toContain(
      'remote: *  Cannot update this tag according to tag protection setting',
    );
    const deleted = await pushWithToken(dir, url, TOKENS.bob, [':refs/heads/release']);
    expect(deleted.stderr).toContain(
      'remote: *  Cannot delete this branch according to branch protection setting',
    );
    expect(await p.onedev.refs(path)).toEqual(before);
  });

  it('with the guard off, restores a stray branch and a moved tag at the next refresh, records the drift and notifies once', async () => {
    const { p, clock } = await start({ ONEDEV_GUARD: 'off' });
    const hook = await receiver();
    const stop = await startNotifications(
      { url: hook.url, secret: undefined, format: 'json' },
      {
        handle: p.handle,
        clock,
        log: createLogger({ level: 'silent' }),
        worker: p.worker,
        containerEvents: new EventEmitter<ContainerEvents>(),
        sourcesEvents: createSourcesEvents(),
      },
    );
    const { record, repo, path } = await mirrored(p, 'drifty');
    expect(p.onedev.setting(path).branchProtections).toEqual([]);
    const refresh = p.sources.refresh!;
    await refresh.tick(); // gives the mirror its slot

    p.onedev.grant('bob', path, 'write');
    const dir = await cloneOf(p, path);
    const url = `${p.onedev.url}/${path}.git`;
    await runGit(['tag', '-f', 'v1', 'HEAD'], dir);
    const stray = await pushWithToken(dir, url, TOKENS.bob, [
      'HEAD:refs/heads/stray',
      '+refs/tags/v1',
    ]);
    expect(stray.code, stray.stderr).toBe(0);
    const strayCommit = (await p.onedev.refs(path))['refs/heads/stray'];
    const pushedTag = (await repo.refs())['refs/tags/v1'];

    // GitHub is unchanged: only the comparison with OneDev finds the change.
    clock.advance(61_000);
    const synced = p.nextSync(record.id);
    expect(await refresh.tick()).toEqual({ checked: 1, changed: 1 });
    expect((await synced).result).toBe('synced');
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));

    const [run] = await listRuns(p.handle.db, record.id, 1);
    expect(run?.drift).toEqual({
      restored: true,
      refs: [
        { ref: 'refs/heads/stray', kind: 'added', expected: null, found: strayCommit },
        { ref: 'refs/tags/v1', kind: 'moved', expected: pushedTag, found: strayCommit },
      ],
    });
    const api = await p.admin('GET', `/api/v1/mirrors/${OWNER}/drifty/runs`);
    expect(JSON.stringify(await api.json())).toContain('"kind":"added"');
    expect(await p.metrics.render()).toMatch(/starbridge_drift_total\{result="restored"\} 1\b/);

    // The next refresh finds OneDev as pushed: nothing to restore, nothing more to say.
    clock.advance(61_000);
    expect(await refresh.tick()).toEqual({ checked: 1, changed: 0 });
    const driftMessages = () => hook.bodies.filter((b) => b.kind === 'mirror.drift');
    await eventually('the drift notification', () => driftMessages().length >= 1);
    expect(driftMessages()).toHaveLength(1);
    expect(driftMessages()[0]?.text).toContain('refs/heads/stray added, refs/tags/v1 moved');

    // A mirror project deleted in OneDev is drift too: created again, every ref pushed back.
    const deleted = await fetch(
      `${p.onedev.url}/~api/projects/${p.onedev.projectByPath(path)?.id}`,
      {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKENS.admin}` },
      },
    );
    expect(deleted.status).toBe(200);
    clock.advance(61_000);
    const recreated = p.nextSync(record.id);
    expect(await refresh.tick()).toEqual({ checked: 1, changed: 1 });
    expect((await recreated).result).toBe('synced');
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));
    const [again] = await listRuns(p.handle.db, record.id, 1);
    expect(again?.drift?.restored).toBe(true);
    expect(new Set(again?.drift?.refs.map((r) => r.kind))).toEqual(new Set(['deleted']));

    await stop?.(1_000);
    await eventually(
      'the drift notifications',
      () => hook.bodies.filter((b) => b.kind === 'mirror.drift').length >= 2,
    );
    const drifts = hook.bodies.filter((b) => b.kind === 'mirror.drift');
    // One per incident: the stray push, then the deleted project.
    expect(drifts).toHaveLength(2);
    expect(drifts[0]?.text).toContain('refs/heads/stray added, refs/tags/v1 moved');
  });

  it('keeps syncing when the token may not change project settings, and health says what to grant', async () => {
    // Alice's token may push to the project someone else owns, but not manage it.
    const { p } = await start({}, TOKENS.alice);
    await p.onedev.addProject(`github/${OWNER}/shared`, { owner: 'admin' });
    p.onedev.grant('alice', `github/${OWNER}/shared`, 'write');
    const { record, repo, path } = await mirrored(p, 'shared');
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));
    expect(p.onedev.setting(path).branchProtections).toEqual([]);
    const refused = p.onedev.requests.filter((r) => r.path.endsWith('/setting'));
    expect(refused.map((r) => [r.method, r.status])).toEqual([['GET', 403]]);

    const res = await p.app.request('/health');
    const health = (await res.json()) as HealthJson;
    expect(health.status).toBe('degraded');
    expect(health.components.onedev_guard).toMatchObject({
      status: 'degraded',
      state: 'forbidden',
      guarded: 0,
    });
    expect(health.components.onedev_guard?.message).toContain(
      `github/${OWNER}/shared is not guarded`,
    );
    expect(health.components.onedev_guard?.message).toContain('Owner (manage) role');
    expect(health.components.onedev_guard?.message).not.toContain(TOKENS.alice);

    // Syncs go on.
    await repo.commit('main', { files: { 'next.txt': 'next\n' } });
    const next = p.nextSync(record.id);
    await p.mirrors.syncById(record.id);
    expect((await next).result).toBe('synced');
    expect(headsAndTags(await p.onedev.refs(path))).toEqual(headsAndTags(await repo.refs()));
  });
});
