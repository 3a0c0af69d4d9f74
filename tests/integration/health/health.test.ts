import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { configurationProbes } from '../../../src/health/integrations.js';
import { createApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';

type Checks = Record<string, { status: string; message?: string }>;
type ReadyBody = { ready: boolean; checks: Checks };
type HealthBody = { status: string; components: Checks };

const log = createLogger({ level: 'silent' });

describe.each(DIALECTS)('health routes on %s', (dialect) => {
  let handle: TestDb | undefined;
  let dataDir: string;
  afterEach(async () => {
    await handle?.destroy();
    handle = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function appWith(options: { migrate?: boolean; env?: Record<string, string> } = {}) {
    handle = await createTestDb(dialect, { migrate: options.migrate });
    dataDir = mkdtempSync(join(tmpdir(), 'starbridge-data-'));
    const config = loadConfig(options.env ?? {});
    const health = createHealthService({
      db: handle,
      dataDir,
      probes: configurationProbes(config),
    });
    return createApp({ log, health });
  }

  it('answers liveness without I/O and readiness when everything is in place', async () => {
    const app = await appWith();
    expect((await app.request('/health/live')).status).toBe(200);
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: {
        database: { status: 'ok' },
        migrations: { status: 'ok' },
        dataDir: { status: 'ok' },
      },
    });
  });

  it('is not ready while migrations are pending, and says what to run', async () => {
    const app = await appWith({ migrate: false });
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as ReadyBody;
    expect(body.checks.migrations?.message).toMatch(
      /migrations pending: 0001-initial(, [^;]+)?; run starbridge migrate/,
    );
  });

  it('is not ready when the data directory is not writable', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits; make the path a file instead so writes fail.
      const app = await appWith();
      rmSync(dataDir, { recursive: true, force: true });
      await import('node:fs').then((fs) => fs.writeFileSync(dataDir, 'not a directory'));
      const ready = await app.request('/health/ready');
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as ReadyBody).checks.dataDir?.message).toMatch(/not writable/);
      return;
    }
    const app = await appWith();
    chmodSync(dataDir, 0o500);
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
  });

  it('reports each integration and which ones are not configured', async () => {
    const app = await appWith({ env: { ADMIN_TOKEN: 'x'.repeat(32) } });
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthBody;
    expect(body.components.adminApi?.status).toBe('ok');
    expect(body.components.onedev).toEqual({
      status: 'not_configured',
      message: 'set ONEDEV_URL and ONEDEV_TOKEN to mirror into OneDev',
    });
    expect(body.components.github?.status).toBe('not_configured');
    expect(body.components.database?.status).toBe('ok');
  });

  it('reports the database down when it cannot be reached', async () => {
    const app = await appWith();
    await handle?.destroy();
    const destroyed = handle;
    handle = undefined;
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as ReadyBody).checks.database?.status).toBe('down');
    expect(destroyed).toBeDefined();
    void sql;
  });
});
