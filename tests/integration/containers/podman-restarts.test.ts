import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { ContainerActionRecord } from '../../../src/containers/container-action.js';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import type { RestartPlan } from '../../../src/containers/restart-plan.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createSourcesEvents } from '../../../src/sources/sources.events.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { startNotifications } from '../../../src/wiring/notify.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { type Podman, podmanAvailability, startPodman } from '../../support/podman.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { restarts } from './containers-kit.js';

const availability = podmanAvailability();
const reason = availability.ok ? '' : availability.reason;

if (!availability.ok && process.env.CI === 'true') {
  describe('real Podman', () => {
    it('is installed in CI (.ci/run installs podman, runc and busybox-static)', () => {
      throw new Error(`CI=true but ${reason}`);
    });
  });
}

/** A receiver for notifications (NOTIFY_URL) that keeps every message's JSON body. */
async function startReceiver() {
  const messages: Array<{ kind: string; text: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      messages.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, messages, close: () => new Promise((r) => server.close(r)) };
}

describe.skipIf(!availability.ok)(
  `health waits, rollbacks, order and paths on a real Podman${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let podman: Podman;
    let p: Pipeline;
    let checkouts: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let stopNotifications: ((graceMs: number) => Promise<void>) | undefined;

    beforeAll(async () => {
      podman = await startPodman();
      receiver = await startReceiver();
      checkouts = mkdtempSync(join(tmpdir(), 'sb-podman-rollback-'));
      p = await startPipeline({
        dialect: 'sqlite',
        env: {
          CONTAINER_SOCKET: podman.socketPath,
          // Flushed by hand: the debounce never fires on its own during a test.
          RESTART_DEBOUNCE: '10m',
          RESTART_WAIT: '30s',
          // 3 samples 2 s apart: a 4 s window, longer than the 3 s a crashing container lives.
          RESTART_HEALTH_SAMPLES: '3',
          RESTART_HEALTH_INTERVAL: '2s',
          CHECKOUT_DIR: checkouts,
        },
        containers: { stopTimeoutSec: 2, self: { hostname: 'test-runner', ids: new Set() } },
      });
      const notify = loadConfig({ NOTIFY_URL: receiver.url }).notify;
      stopNotifications = await startNotifications(notify, {
        handle: p.handle,
        clock: systemClock,
        log: createLogger({ level: 'silent' }),
        worker: p.worker,
        containerEvents: p.services.containers.events,
        sourcesEvents: createSourcesEvents(),
      });
    }, 120_000);

    afterAll(async () => {
      await p?.services.containers.stop(2_000);
      await stopNotifications?.(1_000);
      await p?.close();
      await podman?.close();
      await receiver?.close();
      if (checkouts) rmSync(checkouts, { recursive: true, force: true });
    }, 120_000);

    const feature = () => p.services.containers;

    /** A GitHub repository acme/<name> with `files` on main (and a release branch), synced once. */
    async function mirrored(name: string, files: Record<string, string>) {
      const record = p.github.addRepo({ owner: 'acme', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(p.github.repoPath('acme', name));
      const first = await repo.commit('main', { files });
      await repo.branch('release', 'main');
      const synced = p.nextSync(record.id);
      const identity = { id: record.id, owner: 'acme', name, defaultBranch: 'main' };
      await p.deliver('watch', withRepository(webhookExample('watch', 'started'), identity));
      expect((await synced).result).toBe('synced');
      await feature().flush();
      return { record, repo, first };
    }

    /** Commits `files` to `branch` on GitHub, delivers the push, waits for the sync and restarts. */
    async function push(
      m: { record: { id: number }; repo: RepoBuilder },
      name: string,
      files: Record<string, string>,
      branch = 'main',
    ) {
      const commit = await m.repo.commit(branch, { files });
      const synced = p.nextSync(m.record.id);
      const payload = withRepository(webhookExample('push'), {
        id: m.record.id,
        owner: 'acme',
        name,
      });
      expect((await p.deliver('push', payload)).status).toBe(202);
      expect((await synced).result).toBe('synced');
      await feature().flush();
      const [run] = await listRuns(p.handle.db, m.record.id, 1);
      return { commit, ledger: (run?.containers ?? []) as LedgerEntry[] };
    }

    const head = (dir: string) =>
      execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const state = (name: string) =>
      podman.podman(['inspect', '--format', '{{.State.Status}}', name]);
    async function actions(kind: string): Promise<ContainerActionRecord[]> {
      const res = await p.admin('GET', `/api/v1/containers/actions?kind=${kind}&limit=200`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { actions: ContainerActionRecord[] }).actions;
    }
    const containerMessages = () =>
      receiver.messages.filter((m) => m.kind.startsWith('container.'));

    it('a container that exits 3 s after each start is crash-looping; its working copy is rolled back, held, then moved by a newer commit or a retry', async () => {
      const copy = join(checkouts, 'site');
      // Exits 3 s after a start that finds "crash" in app.txt, unless the operator's flag is there.
      await podman.run(
        'site',
        { 'restart-after': 'acme/site' },
        ['-v', `${checkouts}:/checkouts`],
        'if [ "$(cat /checkouts/site/app.txt)" = crash ] && [ ! -f /checkouts/tolerate ]; then sleep 3; exit 3; fi',
      );
      const site = await mirrored('site', { 'app.txt': 'v1\n' });
      expect(head(copy)).toBe(site.first);

      const bad = await push(site, 'site', { 'app.txt': 'crash\n' });
      expect(
        bad.ledger.map((e) => (e.kind === 'restart' ? `restart:${e.result}:${e.health}` : e.kind)),
      ).toEqual([
        'checkout',
        'restart:crash_looping:crash-looping',
        'rollback',
        'restart:restarted:running',
      ]);
      expect(bad.ledger[2]).toMatchObject({
        kind: 'rollback',
        containers: ['site'],
        from: bad.commit,
        to: site.first,
        result: 'restarted',
      });
      expect(head(copy)).toBe(site.first);
      expect(readFileSync(join(copy, 'app.txt'), 'utf8')).toBe('v1\n');
      expect(await state('site')).toBe('running');
      const [rollback] = await actions('rollback');
      expect(rollback).toMatchObject({
        container: 'site',
        repository: 'acme/site',
        result: 'restarted',
        fromCommit: bad.commit,
        toCommit: site.first,
      });
      await expect.poll(() => containerMessages().length, { timeout: 10_000 }).toBe(1);
      expect(containerMessages()[0]?.kind).toBe('container.rolled_back');
      const listed = (await (await p.admin('GET', '/api/v1/containers')).json()) as {
        containers: Array<{ heldBack?: unknown }>;
      };
      expect(listed.containers[0]?.heldBack).toEqual([
        { repository: 'acme/site', badCommit: bad.commit, goodCommit: site.first },
      ]);

      // main is still on the bad commit: a sync of another branch does not move the copy.
      const other = await push(site, 'site', { 'notes.txt': 'x' }, 'release');
      expect(other.ledger[0]).toMatchObject({ kind: 'checkout', result: 'held' });
      expect(restarts(other.ledger)).toEqual(['site:restarted']);
      expect(head(copy)).toBe(site.first);

      // A newer commit moves it forward.
      const fixed = await push(site, 'site', { 'app.txt': 'v3\n' });
      expect(fixed.ledger[0]).toMatchObject({
        kind: 'checkout',
        result: 'updated',
        commit: fixed.commit,
      });
      expect(restarts(fixed.ledger)).toEqual(['site:restarted']);
      expect(head(copy)).toBe(fixed.commit);

      // Broken again, rolled back to the fixed commit; the operator makes it tolerable, retries.
      const again = await push(site, 'site', { 'app.txt': 'crash\n' });
      expect(again.ledger.filter((e) => e.kind === 'rollback')).toHaveLength(1);
      expect(head(copy)).toBe(fixed.commit);
      await expect.poll(() => containerMessages().length, { timeout: 10_000 }).toBe(2);
      writeFileSync(join(checkouts, 'tolerate'), '');
      const retried = await p.admin('POST', '/api/v1/containers/site/retry');
      expect(retried.status).toBe(200);
      expect(await retried.json()).toEqual({
        repositories: ['acme/site'],
        results: [{ container: 'site', result: 'restarted' }],
      });
      expect(head(copy)).toBe(again.commit);
      expect(await state('site')).toBe('running');
      // Nothing is held any more: a second retry has nothing to do.
      expect((await p.admin('POST', '/api/v1/containers/site/retry')).status).toBe(409);
    }, 180_000);

    it('a dependent starts only after what it depends on passed its health wait; independent followers restart together', async () => {
      const compose = (service: string, dependsOn = '') => ({
        'restart-after': 'acme/stack',
        'com.docker.compose.project': 'stack',
        'com.docker.compose.service': service,
        'com.docker.compose.depends_on': dependsOn,
      });
      await podman.run('stack-app', compose('app', 'db:service_healthy:false'));
      await podman.run('stack-db', compose('db'));
      for (const n of ['i1', 'i2', 'i3'])
        await podman.run(`free-${n}`, { 'restart-after': 'acme/free' });
      const stack = await mirrored('stack', { 'app.txt': 'v1\n' });
      const free = await mirrored('free', { 'app.txt': 'v1\n' });

      const plan = (await (
        await p.admin('GET', '/api/v1/containers/plan?repo=acme/stack')
      ).json()) as RestartPlan;
      expect(
        plan.containers.filter((c) => c.included).map((c) => [c.name, c.wave, c.after]),
      ).toEqual([
        ['stack-db', 1, []],
        ['stack-app', 2, ['stack-db']],
      ]);

      const pushed = await push(stack, 'stack', { 'app.txt': 'v2\n' });
      const order = pushed.ledger.flatMap((e) => (e.kind === 'restart' ? [e.container] : []));
      expect(order).toEqual(['stack-db', 'stack-app']);
      expect(restarts(pushed.ledger)).toEqual(['stack-app:restarted', 'stack-db:restarted']);
      const recorded = await actions('restart');
      const dbRestart = recorded.find((a) => a.container === 'stack-db');
      const appStarted = Date.parse(await podman.startedAt('stack-app'));
      const dbStarted = Date.parse(await podman.startedAt('stack-db'));
      // The app started after the db's restart was over, health wait included.
      expect(appStarted).toBeGreaterThanOrEqual(Date.parse(dbRestart?.finishedAt ?? ''));
      expect(appStarted).toBeGreaterThan(dbStarted);

      await push(free, 'free', { 'app.txt': 'v2\n' });
      const spans = (await actions('restart'))
        .filter((a) => a.container?.startsWith('free-'))
        .slice(0, 3)
        .map((a) => [Date.parse(a.startedAt), Date.parse(a.finishedAt)] as const);
      expect(spans).toHaveLength(3);
      // Every restart began before any of them ended: they overlapped.
      expect(Math.max(...spans.map(([s]) => s))).toBeLessThan(Math.min(...spans.map(([, f]) => f)));
    }, 180_000);

    it('an entry scoped to src/ restarts for a push under src/ only, as the plan says before the push', async () => {
      await podman.run('code', { 'restart-after': 'acme/paths@main:src/' });
      await podman.run('everything', { 'restart-after': 'acme/paths' });
      const repo = await mirrored('paths', { 'README.md': 'hello\n', 'src/x.ts': 'one\n' });
      const planFor = async (query: string) => {
        const res = await p.admin('GET', `/api/v1/containers/plan?repo=acme/paths&${query}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as RestartPlan;
        return body.containers.filter((c) => c.included).map((c) => c.name);
      };
      expect(await planFor('paths=README.md')).toEqual(['everything']);
      expect(await planFor('paths=src/x.ts')).toEqual(['code', 'everything']);

      const before = {
        code: await podman.startedAt('code'),
        all: await podman.startedAt('everything'),
      };
      const readme = await push(repo, 'paths', { 'README.md': 'changed\n' });
      expect(restarts(readme.ledger)).toEqual(['everything:restarted']);
      expect(await podman.startedAt('code')).toBe(before.code);
      expect(await podman.startedAt('everything')).not.toBe(before.all);
      // The same push, as a commit range diffed in the mirror's cache.
      expect(await planFor(`from=${repo.first}&to=${readme.commit}`)).toEqual(['everything']);

      const code = await push(repo, 'paths', { 'src/x.ts': 'two\n' });
      expect(restarts(code.ledger)).toEqual(['code:restarted', 'everything:restarted']);
      expect(await podman.startedAt('code')).not.toBe(before.code);
      expect(await planFor(`from=${readme.commit}&to=${code.commit}`)).toEqual([
        'code',
        'everything',
      ]);
    }, 180_000);
  },
);
