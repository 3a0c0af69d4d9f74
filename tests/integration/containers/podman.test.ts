import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import {
  type ContainersFeature,
  createContainersFeature,
} from '../../../src/containers/containers.feature.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
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

describe.skipIf(!availability.ok)(
  `restarts on a real Podman${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let podman: Podman;
    let p: Pipeline;
    let feature: ContainersFeature;

    beforeAll(async () => {
      podman = await startPodman();
      p = await startPipeline({
        dialect: 'sqlite',
        env: {
          CONTAINER_SOCKET: podman.socketPath,
          RESTART_DEBOUNCE: '10s',
          RESTART_WAIT: '20s',
        },
      });
      feature = createContainersFeature(p.config, {
        db: p.handle.db,
        log: (await import('../../../src/shared/logger.js')).createLogger({ level: 'silent' }),
        findMirror: (fullName) => p.mirrors.findByName(fullName),
        overrides: { stopTimeoutSec: 2, self: { hostname: 'test-runner', ids: new Set() } },
      });
      p.worker.events.on('sync:finished', feature.onSyncFinished);
    });

    afterAll(async () => {
      await feature?.stop(2_000);
      await p?.close();
      await podman?.close();
    });

    /** A GitHub repository with main and release, mirrored once (first sync). */
    async function mirrored(name: string) {
      const record = p.github.addRepo({ owner: 'acme', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(p.github.repoPath('acme', name));
      await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
      await repo.branch('release', 'main');
      const synced = p.nextSync(record.id);
      await p.deliver(
        'watch',
        withRepository(webhookExample('watch', 'started'), {
          id: record.id,
          owner: 'acme',
          name,
          defaultBranch: 'main',
        }),
      );
      expect((await synced).result).toBe('synced');
      await feature.flush();
      return { record, repo };
    }

    /** Pushes to GitHub, delivers the push webhook, waits for the sync. */
    async function pushAndSync(
      record: { id: number },
      repo: RepoBuilder,
      name: string,
      branch = 'main',
    ) {
      await repo.commit(branch);
      const synced = p.nextSync(record.id);
      const push = withRepository(webhookExample('push'), { id: record.id, owner: 'acme', name });
      expect((await p.deliver('push', push)).status).toBe(202);
      expect((await synced).result).toBe('synced');
    }

    async function startedAt(names: string[]): Promise<Record<string, string>> {
      return Object.fromEntries(
        await Promise.all(names.map(async (n) => [n, await podman.startedAt(n)])),
      );
    }

    it('restarts labelled followers after a sync (start time changes), and no others', async () => {
      await podman.run('web', { 'restart-after': 'acme/web' });
      await podman.run('web-short', { 'restart-after': 'other, web' });
      await podman.run('web-release', { 'restart-after': 'acme/web@release' });
      await podman.run('unlabelled');
      await podman.run('elsewhere', { 'restart-after': 'acme/api' });
      const { record, repo } = await mirrored('web');
      const names = ['web', 'web-short', 'web-release', 'unlabelled', 'elsewhere'];
      const before = await startedAt(names);

      await pushAndSync(record, repo, 'web', 'main');
      await feature.flush();
      const after = await startedAt(names);
      const changed = names.filter((n) => after[n] !== before[n]);
      expect(changed).toEqual(['web', 'web-short']);
      const [run] = await listRuns(p.handle.db, record.id, 1);
      expect(restarts((run?.containers ?? []) as LedgerEntry[])).toEqual([
        'web-short:restarted',
        'web:restarted',
      ]);
      expect(await podman.podman(['inspect', '--format', '{{.State.Status}}', 'web'])).toBe(
        'running',
      );

      await pushAndSync(record, repo, 'web', 'release');
      await feature.flush();
      const third = await startedAt(names);
      expect(names.filter((n) => third[n] !== after[n])).toEqual([
        'web',
        'web-short',
        'web-release',
      ]);
    });

    it('five syncs inside the debounce window give one restart', async () => {
      await podman.run('burst', { 'restart-after': 'acme/burst' });
      const { record, repo } = await mirrored('burst');
      const before = await podman.startedAt('burst');
      const events: string[] = [];
      feature.events.on('container:restarted', (e) => events.push(`${e.container}:${e.result}`));
      for (let i = 0; i < 5; i++) await pushAndSync(record, repo, 'burst');
      // All five finished inside the (default, 10 s) window: nothing restarted yet.
      expect(events).toEqual([]);
      await feature.flush();
      expect(events).toEqual(['burst:restarted']);
      expect(await podman.startedAt('burst')).not.toBe(before);
      const runs = await listRuns(p.handle.db, record.id, 5);
      for (const run of runs)
        expect(restarts(run.containers as LedgerEntry[])).toEqual(['burst:restarted']);
    });
  },
);
