import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import type { ContainersFeature } from '../../../src/wiring/containers.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { type Podman, podmanAvailability, startPodman } from '../../support/podman.js';
import { DIALECTS } from '../../support/test-db.js';
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
    beforeAll(async () => {
      podman = await startPodman();
    });
    afterAll(async () => {
      await podman?.close();
    });

    describe.each(DIALECTS)('recorded on %s', (dialect) => {
      let p: Pipeline;
      let feature: ContainersFeature;
      let checkouts: string;

      beforeAll(async () => {
        checkouts = mkdtempSync(join(tmpdir(), 'sb-podman-checkouts-'));
        p = await startPipeline({
          dialect,
          env: {
            CONTAINER_SOCKET: podman.socketPath,
            RESTART_DEBOUNCE: '10s',
            RESTART_WAIT: '20s',
            RESTART_HEALTH_INTERVAL: '300ms',
            CHECKOUT_DIR: checkouts,
          },
          containers: { stopTimeoutSec: 2, self: { hostname: 'test-runner', ids: new Set() } },
        });
        feature = p.services.containers;
      });

      afterAll(async () => {
        await feature?.stop(2_000);
        await p?.close();
        // The next dialect starts from an empty engine (same container names).
        await podman?.podman(['rm', '--all', '--force', '--time', '0']);
        rmSync(checkouts, { recursive: true, force: true });
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

      it('a follower finds the pushed commit in its working copy as it starts again; untracked files stay', async () => {
        // Each start prints what the container sees in its mount of CHECKOUT_DIR.
        await podman.run(
          'site',
          { 'restart-after': 'acme/site' },
          ['-v', `${checkouts}:/checkouts`],
          'echo "seen: $(cat /checkouts/site/app.txt) upload: $(cat /checkouts/site/uploads/user.txt)"',
        );
        const { record, repo } = await mirrored('site');
        // The restart returns once the container runs; its start command prints just after.
        // The untracked file is written only once that start has looked, so it sees v1 alone.
        const seenLines = async () =>
          (await podman.podman(['logs', 'site'])).split('\n').filter((l) => l.startsWith('seen:'));
        await expect.poll(seenLines, { timeout: 10_000, interval: 100 }).toHaveLength(2);
        mkdirSync(join(checkouts, 'site', 'uploads'));
        writeFileSync(join(checkouts, 'site', 'uploads', 'user.txt'), 'kept');

        const head = await repo.commit('main', { files: { 'app.txt': 'v2' } });
        const synced = p.nextSync(record.id);
        const push = withRepository(webhookExample('push'), {
          id: record.id,
          owner: 'acme',
          name: 'site',
        });
        expect((await p.deliver('push', push)).status).toBe(202);
        expect((await synced).result).toBe('synced');
        await feature.flush();

        await expect.poll(seenLines, { timeout: 10_000, interval: 100 }).toHaveLength(3);
        const seen = await seenLines();
        // Before any sync; after the first sync; after the push: always the new files.
        expect(seen).toEqual(['seen:  upload: ', 'seen: v1 upload: ', 'seen: v2 upload: kept']);
        const [run] = await listRuns(p.handle.db, record.id, 1);
        const ledger = (run?.containers ?? []) as LedgerEntry[];
        expect(ledger.map((e) => e.kind)).toEqual(['checkout', 'restart']);
        expect(ledger[0]).toMatchObject({ result: 'updated', commit: head });
        expect(readFileSync(join(checkouts, 'site', 'uploads', 'user.txt'), 'utf8')).toBe('kept');
      });
    });
  },
);
