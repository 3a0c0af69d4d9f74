import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { RepoBuilder } from '../../support/git-repos.js';
import {
  eventually,
  type InProcessService,
  startInProcessService,
} from '../../support/service-in-process.js';

const ADMIN_TOKEN = 'service-restarts-admin-token';
const RESTARTS = {
  RESTART_DEBOUNCE: '200ms',
  RESTART_WAIT: '5s',
  RESTART_HEALTH_INTERVAL: '50ms',
  ADMIN_TOKEN,
};

interface Run {
  id: string;
  result: string;
  containers: LedgerEntry[];
}

/**
 * Container restarts as `starbridge serve` wires them (src/service.ts): the sync worker's
 * `sync:finished` reaches the restarter only through the service's own wiring here.
 */
describe('container restarts in the running service', () => {
  let running: InProcessService | undefined;
  let engine: FakeEngine | undefined;
  let scratch: string | undefined;
  afterEach(async () => {
    await running?.close();
    await engine?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    running = undefined;
    engine = undefined;
    scratch = undefined;
  });

  /** octocat/wired with one commit on GitHub. */
  async function addRepo(s: InProcessService) {
    const record = s.github.addRepo({ owner: 'octocat', name: 'wired', defaultBranch: 'main' });
    const repo = new RepoBuilder(s.github.repoPath('octocat', 'wired'));
    await repo.commit('main', { files: { 'app.txt': 'v1\n' } });
    return { identity: { id: record.id, owner: 'octocat', name: 'wired' }, repo };
  }

  /** The mirror's run ledger from the admin API, newest first. */
  async function runs(s: InProcessService): Promise<Run[]> {
    const res = await fetch(`${s.url}/api/v1/mirrors/octocat/wired/runs`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (res.status === 404) return [];
    expect(res.status).toBe(200);
    return ((await res.json()) as { runs: Run[] }).runs;
  }

  /** Waits until `count` runs have finished and one of them has something in its ledger. */
  function settledRuns(s: InProcessService, count: number): Promise<Run[]> {
    return eventually(`${count} finished runs, the last with its containers ledger`, async () => {
      const list = await runs(s);
      const done = list.length === count && list.every((run) => run.result !== 'running');
      return done && (list[0]?.containers.length ?? 0) > 0 ? list : undefined;
    });
  }

  it('restarts the labelled container after a webhook-driven sync and records it on the run', async () => {
    engine = await startFakeEngine();
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'wired' } });
    const other = engine.add({ name: 'other', labels: { 'restart-after': 'octocat/elsewhere' } });
    const plain = engine.add({ name: 'plain' });
    running = await startInProcessService({
      env: { ...RESTARTS, CONTAINER_SOCKET: engine.socketPath },
    });
    const s = running;
    const { identity } = await addRepo(s);

    expect((await s.star(identity)).status).toBe(202);
    const [run] = await settledRuns(s, 1);

    expect(run?.result).toBe('synced');
    expect(run?.containers).toEqual([
      expect.objectContaining({
        kind: 'restart',
        container: 'web',
        id: web.id,
        result: 'restarted',
      }),
    ]);
    expect([web.restarts, other.restarts, plain.restarts]).toEqual([1, 0, 0]);
    expect(engine.calls).toContain(`POST /v1.41/containers/${web.id}/restart?t=10`);
  });

  it('without CONTAINER_SOCKET and no socket found, syncs succeed and record why restarts were skipped; a socket that appears is used', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'sb-no-engine-'));
    const runtimeDir = join(scratch, 'xdg-runtime');
    mkdirSync(runtimeDir);
    // The candidates come from loadConfig (XDG_RUNTIME_DIR first); the system-wide ones are
    // re-rooted under the scratch folder so a socket on this machine cannot be found.
    const root = scratch;
    const reRooted = (config: Config): Config => ({
      ...config,
      containers: {
        ...config.containers,
        socketCandidates: config.containers.socketCandidates.map((path) =>
          path.startsWith(runtimeDir) ? path : join(root, path),
        ),
      },
    });
    running = await startInProcessService({
      env: { ...RESTARTS, XDG_RUNTIME_DIR: runtimeDir },
      configure: reRooted,
    });
    const s = running;
    const { identity, repo } = await addRepo(s);

    expect((await s.star(identity)).status).toBe(202);
    const [first] = await settledRuns(s, 1);
    const rootless = join(runtimeDir, 'podman', 'podman.sock');
    const tried = [
      rootless,
      join(root, '/run/podman/podman.sock'),
      join(root, '/var/run/docker.sock'),
    ].join(', ');
    expect(first?.result).toBe('synced');
    expect(first?.containers).toEqual([
      {
        kind: 'skipped',
        message: `restarts skipped: no container engine (no socket at ${tried}; set CONTAINER_SOCKET)`,
      },
    ]);

    // Podman's rootless socket is often activated later: the next sync finds and uses it.
    mkdirSync(join(runtimeDir, 'podman'));
    engine = await startFakeEngine({}, { socketPath: rootless });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'octocat/wired' } });
    await repo.commit('main', { files: { 'app.txt': 'v2\n' } });
    expect((await s.push(identity)).status).toBe(202);
    const [second] = await settledRuns(s, 2);
    expect(second?.result).toBe('synced');
    expect(second?.containers).toEqual([
      expect.objectContaining({ kind: 'restart', container: 'web', result: 'restarted' }),
    ]);
    expect(web.restarts).toBe(1);
  });
});
