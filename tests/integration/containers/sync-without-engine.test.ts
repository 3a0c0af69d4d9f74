import { afterEach, describe, expect, it } from 'vitest';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { DIALECTS } from '../../support/test-db.js';
import { type ContainersPipeline, startContainersPipeline } from './containers-pipeline.js';

describe.each(DIALECTS)('a real sync without a container engine on %s', (dialect) => {
  let kit: ContainersPipeline | undefined;
  afterEach(async () => {
    await kit?.close();
    kit = undefined;
  });

  /** Mirrors acme/app, pushes once more; both syncs must succeed. Returns both runs. */
  async function twoSyncs(k: ContainersPipeline) {
    const mirror = await k.mirrored('app');
    const pushed = (await k.pushAndSync(mirror, 'app')).run;
    await k.feature.flush();
    const runs = await listRuns(k.p.handle.db, mirror.id);
    expect(runs.map((r) => [r.id, r.result])).toEqual([
      [pushed, 'synced'],
      [mirror.run, 'synced'],
    ]);
    const status = await k.p.mirrors.findByName('acme/app');
    expect(status?.status).toBe('synced');
    return runs;
  }

  it('restarts off (CONTAINER_SOCKET empty): synced, and each run says restarts were skipped', async () => {
    kit = await startContainersPipeline({ dialect, env: { CONTAINER_SOCKET: '' } });
    for (const run of await twoSyncs(kit)) {
      expect(run.containers).toEqual([
        {
          kind: 'skipped',
          message:
            'restarts skipped: no container engine (CONTAINER_SOCKET is empty: restarts are off)',
        },
      ]);
    }
  });

  it('a configured socket that is not there: synced, and the run says why restarts were skipped', async () => {
    kit = await startContainersPipeline({
      dialect,
      env: { CONTAINER_SOCKET: '/nonexistent/podman.sock' },
    });
    for (const run of await twoSyncs(kit)) {
      expect(run.containers).toEqual([
        {
          kind: 'skipped',
          message: expect.stringMatching(
            /^restarts skipped: no container engine socket at \/nonexistent\/podman.sock: start the Podman API socket/,
          ),
        },
      ]);
    }
  });
});
