import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { DbHandle } from '../db/database.js';
import { readSchemaStatus } from '../db/migrate.js';

export type ComponentState = 'ok' | 'down' | 'not_configured' | 'degraded';

export interface ComponentHealth {
  status: ComponentState;
  message?: string;
  [detail: string]: unknown;
}

/** A component whose health is only known to its feature (GitHub, OneDev, containers…). */
export interface HealthProbe {
  name: string;
  check(): Promise<ComponentHealth>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<'database' | 'migrations' | 'dataDir', ComponentHealth>;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  components: Record<string, ComponentHealth>;
}

export interface HealthService {
  ready(): Promise<ReadinessReport>;
  report(): Promise<HealthReport>;
}

export function createHealthService(deps: {
  db: DbHandle;
  dataDir: string;
  probes: HealthProbe[];
}): HealthService {
  async function ready(): Promise<ReadinessReport> {
    const [database, migrations, dataDir] = await Promise.all([
      checkDatabase(deps.db),
      checkMigrations(deps.db),
      checkDataDir(deps.dataDir),
    ]);
    const checks = { database, migrations, dataDir };
    return { ready: Object.values(checks).every((c) => c.status === 'ok'), checks };
  }

  async function report(): Promise<HealthReport> {
    const readiness = await ready();
    const components: Record<string, ComponentHealth> = { ...readiness.checks };
    const probed = await Promise.all(deps.probes.map((p) => safeCheck(p)));
    deps.probes.forEach((probe, i) => {
      components[probe.name] = probed[i] as ComponentHealth;
    });
    const degraded = Object.values(components).some(
      (c) => c.status === 'down' || c.status === 'degraded',
    );
    return { status: !readiness.ready ? 'down' : degraded ? 'degraded' : 'ok', components };
  }

  return { ready, report };
}

async function safeCheck(probe: HealthProbe): Promise<ComponentHealth> {
  try {
    return await probe.check();
  } catch (error) {
    return { status: 'down', message: (error as Error).message };
  }
}

async function checkDatabase(handle: DbHandle): Promise<ComponentHealth> {
  try {
    await sql`select 1`.execute(handle.db);
    return { status: 'ok', dialect: handle.dialect };
  } catch (error) {
    return {
      status: 'down',
      dialect: handle.dialect,
      message: `database unreachable: ${(error as Error).message}`,
    };
  }
}

async function checkMigrations(handle: DbHandle): Promise<ComponentHealth> {
  try {
    const status = await readSchemaStatus(handle);
    if (status.current) return { status: 'ok', applied: status.applied.length };
    if (status.unknown.length > 0) {
      return {
        status: 'down',
        message: `schema is newer than this version: ${status.unknown.join(', ')}`,
      };
    }
    return {
      status: 'down',
      message: `migrations pending: ${status.pending.join(', ')}; run starbridge migrate`,
    };
  } catch (error) {
    return { status: 'down', message: `cannot read schema version: ${(error as Error).message}` };
  }
}

async function checkDataDir(dataDir: string): Promise<ComponentHealth> {
  const probe = join(dataDir, `.health-${randomUUID()}`);
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    return { status: 'ok', path: dataDir };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      status: 'down',
      path: dataDir,
      message: `data directory is not writable (${code}); check its owner and free space`,
    };
  }
}
