import { afterEach, describe, expect, it } from 'vitest';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { DIALECTS } from '../../support/test-db.js';
import { restarts } from './containers-kit.js';
import { type ContainersPipeline, sample, startContainersPipeline } from './containers-pipeline.js';

const RESTARTS = 'starbridge_container_restarts_total';

describe.each(DIALECTS)('starbridge_container_restarts_total on %s', (dialect) => {
  let kit: ContainersPipeline | undefined;
  let engine: FakeEngine | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  it('counts restarted, failed and skipped restarts after real syncs', async () => {
    engine = await startFakeEngine({ actions: { broken: 'error' } });
    for (const name of ['ok', 'broken', 'starbridge'])
      engine.add({ name, labels: { 'restart-after': 'acme/app' } });
    engine.add({ name: 'other', labels: { 'restart-after': 'acme/elsewhere' } });
    kit = await startContainersPipeline({
      dialect,
      env: { CONTAINER_SOCKET: engine.socketPath },
      // Starbridge runs in the container named `starbridge`: its restart is skipped.
      self: { hostname: 'starbridge', ids: new Set() },
    });
    const before = await kit.scrape();
    for (const result of ['restarted', 'failed', 'skipped'])
      expect(sample(before, RESTARTS, `{result="${result}"}`)).toBeUndefined();

    const mirror = await kit.mirrored('app');
    await kit.feature.flush();
    expect(restarts(await kit.ledger(mirror.id, mirror.run))).toEqual([
      'broken:failed',
      'ok:restarted',
      'starbridge:skipped',
    ]);
    const first = await kit.scrape();
    expect(sample(first, RESTARTS, '{result="restarted"}')).toBe(1);
    expect(sample(first, RESTARTS, '{result="failed"}')).toBe(1);
    expect(sample(first, RESTARTS, '{result="skipped"}')).toBe(1);

    await kit.pushAndSync(mirror, 'app');
    await kit.feature.flush();
    const second = await kit.scrape();
    expect(sample(second, RESTARTS, '{result="restarted"}')).toBe(2);
    expect(sample(second, RESTARTS, '{result="failed"}')).toBe(2);
    expect(sample(second, RESTARTS, '{result="skipped"}')).toBe(2);
    expect(engine.byName('ok').restarts).toBe(2);
    expect(engine.byName('other').restarts).toBe(0);
    expect(sample(second, 'starbridge_syncs_total', '{result="synced"}')).toBe(2);
  });
});
