import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServiceProcess, startWithNpmStart } from '../support/service-process.js';

// The README's run command builds with tsc and runs the compiled service: the path every
// operator takes, which the other process tests (run from source) do not.
describe('npm start', () => {
  let dir: string | undefined;
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    if (service && service.child.exitCode === null) await service.stop('SIGKILL');
    service = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('compiles, starts the built service on SQLite, is ready, and stops on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starbridge-npm-start-'));
    // The database and caches in a folder of the test's own, not the checkout's ./data.
    const database = join(dir, 'db', 'starbridge.db');
    service = await startWithNpmStart({
      env: { DATABASE_URL: `sqlite:${database}`, DATA_DIR: dir },
    });
    expect(service.output()).toContain('"database":"sqlite"');
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const health = (await (await fetch(`${service.url}/health`)).json()) as {
      components: Record<string, { status: string }>;
    };
    expect(health.components.onedev?.status).toBe('not_configured');
    expect(existsSync(database)).toBe(true);
    await service.stop('SIGTERM');
    expect(service.output()).toContain('"msg":"stopped"');
  }, 180_000);
});
