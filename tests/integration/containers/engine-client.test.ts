import { afterEach, describe, expect, it } from 'vitest';
import { createDockerEngine } from '../../../src/engine/docker-engine.client.js';
import type { ContainerEngine } from '../../../src/engine/engine.port.js';
import { ContainerEngineError } from '../../../src/engine/engine-errors.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';

describe('Docker Engine API client on a unix socket', () => {
  let fake: FakeEngine | undefined;
  let client: ContainerEngine | undefined;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
    fake = client = undefined;
  });

  async function start(faults: Parameters<typeof startFakeEngine>[0] = {}) {
    fake = await startFakeEngine(faults);
    client = createDockerEngine({ socketPath: fake.socketPath, requestTimeoutMs: 1_000 });
    return { fake, client };
  }

  it.each([
    ['1.41', '/v1.41/'],
    ['1.99', '/v1.45/'],
  ])('negotiates the API version from GET /version (%s → %s)', async (offered, prefix) => {
    const { fake, client } = await start({ apiVersion: offered });
    fake.add({ name: 'web', labels: { 'restart-after': 'web' } });
    await client.listLabelled('restart-after');
    expect(fake.calls[0]).toBe('GET /version');
    expect(fake.calls[1]?.startsWith(`GET ${prefix}containers/json`)).toBe(true);
  });

  it('refuses an engine older than API 1.24', async () => {
    const { client } = await start({ apiVersion: '1.12' });
    await expect(client.listLabelled('x')).rejects.toThrow(/speaks API 1\.12; .* at least 1\.24/);
  });

  it('a missing socket says where it looked and what to do', async () => {
    client = createDockerEngine({ socketPath: '/nonexistent/docker.sock' });
    const error = await client.listLabelled('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerEngineError);
    expect((error as ContainerEngineError).failure).toBe('unavailable');
    expect((error as Error).message).toMatch(
      /no container engine socket at \/nonexistent\/docker.sock: start/,
    );
  });

  it('a hanging call is cut off after the request timeout plus the stop grace', async () => {
    const { fake, client } = await start({ actions: { web: 'hang' } });
    const web = fake.add({ name: 'web', labels: {} });
    const started = Date.now();
    const error = await client
      .act(web.id, 'restart', { stopTimeoutSec: 1 })
      .catch((e: unknown) => e);
    expect((error as ContainerEngineError).failure).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('maps 404, 403 and 500 to their failures', async () => {
    const { fake, client } = await start({
      actions: { a: 'notFound', b: 'forbidden', c: 'error' },
    });
    const failures = [];
    for (const name of ['a', 'b', 'c']) {
      const container = fake.add({ name, labels: {} });
      const error = await client.act(container.id, 'restart').catch((e: unknown) => e);
      failures.push((error as ContainerEngineError).failure);
    }
    expect(failures).toEqual(['not_found', 'forbidden', 'engine']);
  });

  it('reads state and health as Podman and Docker report them', async () => {
    const { fake, client } = await start();
    const web = fake.add({ name: 'web', labels: { k: 'v' }, health: 'starting' });
    const bare = fake.add({ name: 'bare', labels: {} });
    expect(await client.inspect(web.id)).toMatchObject({
      name: 'web',
      state: 'running',
      health: 'starting',
      labels: { k: 'v' },
    });
    expect((await client.inspect(bare.id)).health).toBeNull();
    expect((await client.info()).apiVersion).toBe('1.41');
  });
});
