import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';
import { restarts } from './containers-kit.js';
import { type ContainersPipeline, startContainersPipeline } from './containers-pipeline.js';

/**
 * The sync worker tells `sync:finished` to whoever listens (restarts, metrics,
 * notifications). A listener that fails must not change what the sync came to.
 */
describe('a sync:finished listener that throws', () => {
  let kit: ContainersPipeline | undefined;
  let engine: FakeEngine | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  it('leaves a good sync synced, the other listeners told, and the worker running', async () => {
    engine = await startFakeEngine();
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/app' } });
    kit = await startContainersPipeline({
      dialect: 'sqlite',
      env: { CONTAINER_SOCKET: engine.socketPath },
    });
    const { p } = kit;
    const thrown: string[] = [];
    // Ahead of the restarter, so an escaping error would also keep it from hearing.
    p.worker.events.prependListener('sync:finished', (event) => {
      thrown.push(`${event.fullName}:${event.result}`);
      throw new Error('listener exploded');
    });
    p.worker.events.prependListener('sync:finished', async () => {
      throw new Error('async listener exploded');
    });

    const mirror = await kit.mirrored('app');
    await kit.pushAndSync(mirror, 'app');
    await kit.feature.flush();
    expect(thrown).toEqual(['acme/app:synced', 'acme/app:synced']);
    const runs = await listRuns(p.handle.db, mirror.id);
    expect(runs.map((r) => [r.result, r.error])).toEqual([
      ['synced', null],
      ['synced', null],
    ]);
    expect((await p.mirrors.findByName('acme/app'))?.status).toBe('synced');
    for (const run of runs)
      expect(restarts(run.containers as LedgerEntry[])).toEqual(['web:restarted']);
    expect(engine.byName('web').restarts).toBe(2);
    const logged = p.logs.filter((line) => line.includes('a sync:finished listener failed'));
    expect(logged.join('\n')).toMatch(/listener exploded/);
    expect(logged.join('\n')).toMatch(/async listener exploded/);

    // A failed sync (the repository is not on GitHub) is told to the same listeners,
    // and the worker goes on syncing afterwards.
    const missing = { id: 990_001, owner: 'acme', name: 'missing', defaultBranch: 'main' };
    const failed = p.nextSync(missing.id);
    await p.deliver('watch', withRepository(webhookExample('watch', 'started'), missing));
    expect((await failed).result).not.toBe('synced');
    expect(thrown.at(-1)).toMatch(/^acme\/missing:/);
    await kit.pushAndSync(mirror, 'app');
    expect((await p.mirrors.findByName('acme/app'))?.status).toBe('synced');
  });
});
