import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { integrationProbes } from '../../../src/health/integrations.js';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import { createLogger } from '../../../src/shared/logger.js';
import { containersFeature } from '../../support/command-deps.js';
import { startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { cookieHeader, dashboardApp, signIn } from './dashboard-kit.js';

type HealthBody = { components: Record<string, { status: string; message?: string }> };

const BASE = 'http://localhost';

describe.each(DIALECTS)('integration health on the overview and /health on %s', (dialect) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(env: Record<string, string>) {
    const handle: TestDb = await createTestDb(dialect);
    cleanups.push(() => handle.destroy());
    const dataDir = mkdtempSync(join(tmpdir(), 'starbridge-health-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // The real wiring: OneDev's version endpoint and the container feature's status, uncached.
    const probes = (config: Config) => {
      const containers = containersFeature(config, handle, createLogger({ level: 'silent' }));
      cleanups.push(() => containers.stop(0));
      const onedev = config.onedev;
      return integrationProbes(config, {
        onedevVersion:
          onedev && createOneDevClient({ baseUrl: onedev.url, token: onedev.token }).version,
        containersStatus: containers.service.status,
        cacheMs: 0,
      });
    };
    const { app } = dashboardApp(handle, { env: { DATA_DIR: dataDir, ...env }, probes });
    const { cookies } = await signIn(app);
    const overview = async () =>
      (
        await app.request(`${BASE}/dashboard`, { headers: { cookie: cookieHeader(cookies) } })
      ).text();
    const health = async () => (await (await app.request(`${BASE}/health`)).json()) as HealthBody;
    return { overview, health };
  }

  it('says OneDev is unreachable once its server stops', async () => {
    const onedev = await startOneDevDouble(STANDARD_CAST);
    let running = true;
    cleanups.push(() => (running ? onedev.close() : undefined));
    const { overview, health } = await start({
      ONEDEV_URL: onedev.url,
      ONEDEV_TOKEN: TOKENS.admin,
      CONTAINER_SOCKET: '',
    });
    expect((await health()).components.onedev).toMatchObject({ status: 'ok', version: '16.5.6' });
    expect(await overview()).not.toContain('OneDev is unreachable');

    await onedev.close();
    running = false;
    const down = (await health()).components.onedev;
    expect(down?.status).toBe('down');
    expect(down?.message).toMatch(/^OneDev is unreachable: cannot reach OneDev .*ECONNREFUSED/);
    const page = await overview();
    expect(page).toContain('OneDev is unreachable');
    expect(page).not.toContain(TOKENS.admin);
  });

  it('says OneDev rejects a wrong token', async () => {
    const onedev = await startOneDevDouble(STANDARD_CAST);
    cleanups.push(() => onedev.close());
    const { health } = await start({ ONEDEV_URL: onedev.url, ONEDEV_TOKEN: 'not-a-token' });
    const component = (await health()).components.onedev;
    expect(component?.status).toBe('down');
    expect(component?.message).toMatch(
      /^OneDev check failed: OneDev rejected the access token.*401/,
    );
  });

  it('says the container engine is unreachable when its socket is missing, or off', async () => {
    const missing = await start({ CONTAINER_SOCKET: '/nonexistent/podman.sock' });
    const down = (await missing.health()).components.containers;
    expect(down?.status).toBe('down');
    expect(down?.message).toMatch(/^container engine is unreachable: .*podman\.sock/);
    expect(await missing.overview()).toContain('container engine is unreachable');

    const off = await start({ CONTAINER_SOCKET: '' });
    expect((await off.health()).components.containers).toEqual({
      status: 'not_configured',
      message: 'CONTAINER_SOCKET is empty: container restarts are off',
    });
  });
});
