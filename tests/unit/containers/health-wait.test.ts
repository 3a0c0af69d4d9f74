import { describe, expect, it } from 'vitest';
import { waitForHealth } from '../../../src/containers/health-wait.js';
import type { ContainerEngine, EngineContainerDetails } from '../../../src/engine/engine.port.js';

type Look = Partial<EngineContainerDetails>;

/** An engine behind the port whose inspect answers the scripted looks, the last one repeated. */
function scripted(looks: Look[]): { engine: ContainerEngine; asked: () => number } {
  let i = 0;
  const base: EngineContainerDetails = {
    id: 'c1',
    name: 'web',
    image: 'img',
    state: 'running',
    labels: {},
    health: null,
    startedAt: '2026-01-01T00:00:00Z',
    restartCount: 0,
  };
  const engine = {
    socket: 'test',
    async inspect() {
      const look = looks[Math.min(i, looks.length - 1)];
      i++;
      return { ...base, ...look };
    },
  } as unknown as ContainerEngine;
  return { engine, asked: () => i };
}

const settings = { samples: 3, intervalMs: 1, timeoutMs: 200, pollMs: 1 };

describe('the health wait after a restart', () => {
  it('needs N consecutive good samples: running, or healthy where there is a check', async () => {
    const plain = scripted([{}]);
    expect(await waitForHealth(plain.engine, 'c1', settings)).toMatchObject({ verdict: 'running' });
    expect(plain.asked()).toBe(3);
    const checked = scripted([{ health: 'starting' }, { health: 'healthy' }]);
    expect(await waitForHealth(checked.engine, 'c1', settings)).toMatchObject({
      verdict: 'healthy',
    });
    expect(checked.asked()).toBe(4);
  });

  it('a container that dies after it was seen running is crash-looping, not fine', async () => {
    const { engine } = scripted([{}, { state: 'exited' }]);
    const outcome = await waitForHealth(engine, 'c1', settings);
    expect(outcome).toMatchObject({ verdict: 'crash-looping', state: 'exited' });
  });

  it('started again in between (StartedAt or RestartCount changed) is crash-looping even if every look says running', async () => {
    const started = scripted([{}, { startedAt: '2026-01-01T00:00:04Z' }]);
    expect((await waitForHealth(started.engine, 'c1', settings)).verdict).toBe('crash-looping');
    const counted = scripted([{}, { restartCount: 1 }]);
    const outcome = await waitForHealth(counted.engine, 'c1', settings);
    expect(outcome).toMatchObject({ verdict: 'crash-looping' });
    expect(outcome.message).toMatch(/RestartCount 0 → 1/);
  });

  it('unhealthy until the timeout is unhealthy; never up is a timeout', async () => {
    const sick = scripted([{ health: 'unhealthy' }]);
    expect(await waitForHealth(sick.engine, 'c1', settings)).toMatchObject({
      verdict: 'unhealthy',
    });
    const down = scripted([{ state: 'exited' }]);
    expect(await waitForHealth(down.engine, 'c1', settings)).toMatchObject({
      verdict: 'timeout',
      state: 'exited',
    });
  });

  it('a bad sample in the middle starts the count again', async () => {
    const { engine, asked } = scripted([
      { health: 'healthy' },
      { health: 'healthy' },
      { health: 'unhealthy' },
      { health: 'healthy' },
    ]);
    expect((await waitForHealth(engine, 'c1', settings)).verdict).toBe('healthy');
    expect(asked()).toBe(6);
  });
});
