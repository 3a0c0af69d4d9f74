import { expect } from 'vitest';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import type { SelfIdentity } from '../../../src/containers/self-container.js';
import type { Dialect } from '../../../src/db/database.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import type { SyncFinishedEvent } from '../../../src/sync/sync.events.js';
import type { ContainersFeature } from '../../../src/wiring/containers.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { NOBODY } from './containers-kit.js';

export interface ContainersPipeline {
  p: Pipeline;
  feature: ContainersFeature;
  /** `/metrics` as the service renders it, with the containers' events wired in. */
  scrape(): Promise<string>;
  /** A GitHub repository `acme/<name>` with one commit on main, starred and synced once. */
  mirrored(name: string): Promise<{ id: number; repo: RepoBuilder; run: string }>;
  /** Commits app.txt to main on GitHub, delivers the push webhook, waits for the sync. */
  pushAndSync(
    mirror: { id: number; repo: RepoBuilder },
    name: string,
  ): Promise<{ run: string; commit: string; content: string }>;
  /** The `containers` ledger of one run. */
  ledger(githubId: number, runId: string): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

/**
 * The real mirror pipeline (GitHub and OneDev doubles, real git, a real database, the
 * sync worker) with the container feature and the metrics wired to it as src/service.ts
 * wires them: `sync:finished` feeds the restarter, the containers' events feed /metrics.
 */
export async function startContainersPipeline(options: {
  dialect: Dialect;
  env: Record<string, string>;
  self?: SelfIdentity;
}): Promise<ContainersPipeline> {
  const p = await startPipeline({
    dialect: options.dialect,
    env: {
      RESTART_DEBOUNCE: '200ms',
      RESTART_WAIT: '5s',
      RESTART_HEALTH_INTERVAL: '50ms',
      ...options.env,
    },
    containers: {
      stopTimeoutSec: 1,
      requestTimeoutMs: 1_500,
      pollMs: 50,
      self: options.self ?? NOBODY,
    },
  });
  const feature = p.services.containers;

  /** Delivers a webhook and resolves with the id of the run it caused, which must sync. */
  async function syncOf(id: number, deliver: () => Promise<Response>): Promise<string> {
    const finished = new Promise<SyncFinishedEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sync of ${id} within 30 s`)), 30_000);
      const listener = (event: SyncFinishedEvent) => {
        if (event.githubId !== id) return;
        clearTimeout(timer);
        p.worker.events.off('sync:finished', listener);
        resolve(event);
      };
      p.worker.events.on('sync:finished', listener);
    });
    expect((await deliver()).status).toBe(202);
    const event = await finished;
    expect({ result: event.result, error: 'error' in event ? event.error : undefined }).toEqual({
      result: 'synced',
      error: undefined,
    });
    return event.run;
  }

  let pushes = 0;
  return {
    p,
    feature,
    async scrape() {
      const res = await p.app.request('/metrics');
      expect(res.status).toBe(200);
      return res.text();
    },
    async mirrored(name) {
      const record = p.github.addRepo({ owner: 'acme', name, defaultBranch: 'main' });
      const repo = new RepoBuilder(p.github.repoPath('acme', name));
      await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
      const identity = { id: record.id, owner: 'acme', name, defaultBranch: 'main' };
      const run = await syncOf(record.id, () =>
        p.deliver('watch', withRepository(webhookExample('watch', 'started'), identity)),
      );
      return { id: record.id, repo, run };
    },
    async pushAndSync(mirror, name) {
      const content = `v${++pushes + 1}\n`;
      const commit = await mirror.repo.commit('main', { files: { 'app.txt': content } });
      const push = withRepository(webhookExample('push'), { id: mirror.id, owner: 'acme', name });
      return { run: await syncOf(mirror.id, () => p.deliver('push', push)), commit, content };
    },
    async ledger(githubId, runId) {
      const run = (await listRuns(p.handle.db, githubId)).find((r) => r.id === runId);
      if (!run) throw new Error(`no run ${runId}`);
      return run.containers as LedgerEntry[];
    },
    async close() {
      await feature.stop(1_000);
      await p.close();
    },
  };
}

/** The value of one sample in Prometheus' text format, or undefined when absent. */
export function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}
