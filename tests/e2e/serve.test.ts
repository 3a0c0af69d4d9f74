import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  runStarbridge,
  type ServiceProcess,
  startServiceProcess,
} from '../support/service-process.js';

describe('starbridge as a process', () => {
  let cwd: string;
  let service: ServiceProcess | undefined;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'starbridge-serve-'));
  });
  afterEach(async () => {
    if (service && service.child.exitCode === null) await service.stop('SIGKILL');
    service = undefined;
    rmSync(cwd, { recursive: true, force: true });
  });

  it('starts on SQLite with no configuration, is ready, and stops cleanly on SIGTERM', async () => {
    service = await startServiceProcess({ cwd });
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const health = (await (await fetch(`${service.url}/health`)).json()) as {
      components: Record<string, { status: string }>;
    };
    expect(health.components.onedev?.status).toBe('not_configured');
    const metrics = await fetch(`${service.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('starbridge_mirrors{status="queued"} 0');
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });

  it('guards /metrics with METRICS_TOKEN when set', async () => {
    service = await startServiceProcess({ cwd, env: { METRICS_TOKEN: 'scrape-secret-value' } });
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    const allowed = await fetch(`${service.url}/metrics`, {
      headers: { authorization: 'Bearer scrape-secret-value' },
    });
    expect(allowed.status).toBe(200);
  });

  it('exits non-zero naming every bad variable', async () => {
    const run = runStarbridge(['serve'], { cwd, env: { DATABASE_URL: 'foo', PORT: 'abc' } });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/DATABASE_URL: must be sqlite:<path>/);
    expect(run.output()).toMatch(/PORT: "abc" is not a TCP port/);
  });

  it('reads a .env file in the working directory', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, '.env'), 'SYNC_CONCURRENCY=zero\n');
    const run = runStarbridge(['serve'], { cwd });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/SYNC_CONCURRENCY: "zero"/);
  });

  it('migrates with `starbridge migrate` and says so', async () => {
    const run = runStarbridge(['migrate'], {
      cwd,
      env: { DATABASE_URL: `sqlite:${join(cwd, 'x', 'sb.db')}` },
    });
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/applied \d+ migration\(s\): 0001-initial, /);
  });
});
