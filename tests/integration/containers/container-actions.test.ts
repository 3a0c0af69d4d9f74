import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import {
  createContainerActionLog,
  OUTPUT_KEPT,
} from '../../../src/containers/container-actions.repo.js';
import { createLogger } from '../../../src/shared/logger.js';
import { Redactor } from '../../../src/shared/redact.js';
import type { ContainersFeature } from '../../../src/wiring/containers.js';
import { containersFeature } from '../../support/command-deps.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { DIALECTS } from '../../support/test-db.js';
import { type Kit, moved, NOBODY, startKit } from './containers-kit.js';

const silent = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, d) => d() }) as never,
});

describe.each(DIALECTS)('container actions are recorded in the database, on %s', (dialect) => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  let second: ContainersFeature | undefined;
  afterEach(async () => {
    await second?.stop(1_000);
    await kit?.close();
    await engine?.close();
    kit = engine = second = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    engine = await startFakeEngine();
    kit = await startKit({ dialect, env: { CONTAINER_SOCKET: engine.socketPath, ...env } });
    return { engine, kit };
  }

  /** Another service instance on the same database: what a restart of Starbridge sees. */
  function restartedService(kit: Kit, socket: string) {
    second = containersFeature(
      loadConfig({ DATA_DIR: kit.dataDir, CONTAINER_SOCKET: socket }),
      kit.handle,
      silent,
      { stopTimeoutSec: 1, requestTimeoutMs: 1_500, pollMs: 50, self: NOBODY },
    );
    return second.service;
  }

  it("stores a rebuild's output and exit code, and lists them newest first", async () => {
    const { engine, kit } = await start({ COMPOSE_COMMAND: 'echo compose' });
    engine.add({
      name: 'web-1',
      labels: { 'restart-after': 'web', 'com.docker.compose.service': 'web' },
    });
    expect(await kit.feature.service.rebuild('web')).toEqual({
      exitCode: 0,
      output: 'compose up -d --build web\n',
    });
    const service = restartedService(kit, engine.socketPath);
    const [rebuild] = (await service.actions?.({ limit: 10, kind: 'rebuild' })) ?? [];
    expect(rebuild).toEqual({
      id: expect.any(String),
      kind: 'rebuild',
      container: 'web',
      containerId: null,
      repository: null,
      result: 'succeeded',
      health: null,
      fromCommit: null,
      toCommit: null,
      message: 'echo compose up -d --build web',
      output: 'compose up -d --build web\n',
      exitCode: 0,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
  });

  it('a failed rebuild keeps its exit code; credentials in the output are redacted', async () => {
    const { kit } = await start({
      COMPOSE_COMMAND: 'echo pulling https://bot:s3cret@example.com/x',
    });
    await kit.feature.service.rebuild();
    const failing = await startKitLike(kit, 'false');
    expect((await failing.rebuild()).exitCode).toBe(1);
    const actions = (await kit.feature.service.actions?.({ limit: 10 })) ?? [];
    expect(actions.map((a) => [a.kind, a.result, a.exitCode])).toEqual([
      ['rebuild', 'failed', 1],
      ['rebuild', 'succeeded', 0],
    ]);
    expect(actions[1]?.output).toContain('https://[REDACTED]@example.com/x');
    expect(JSON.stringify(actions)).not.toContain('s3cret');
  });

  it('a restart is recorded and is the last restart after a restart of the service', async () => {
    const { engine, kit } = await start();
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    engine.add({ name: 'api', labels: { 'restart-after': 'acme/api' } });
    await kit.feature.service.restart('web');
    await kit.sync('acme/api', [moved('refs/heads/main')]);
    await kit.feature.flush();
    await kit.feature.service.stop('api');
    await kit.feature.service.start('api');

    const service = restartedService(kit, engine.socketPath);
    const listed = await service.list();
    expect(listed.map((c) => [c.name, c.lastRestart])).toEqual([
      ['api', { at: expect.any(String), result: 'restarted' }],
      ['web', { at: expect.any(String), result: 'restarted' }],
    ]);
    const actions = (await service.actions?.({ limit: 10 })) ?? [];
    expect(actions.map((a) => `${a.kind}:${a.container}:${a.result}:${a.repository}`)).toEqual([
      'start:api:done:null',
      'stop:api:done:null',
      'restart:api:restarted:acme/api',
      'restart:web:restarted:null',
    ]);
    const restartsOnly = (await service.actions?.({ limit: 1, kind: 'restart' })) ?? [];
    expect(restartsOnly.map((a) => a.container)).toEqual(['api']);
    expect(restartsOnly[0]?.containerId).toBe(engine.byName('api').id);
    // No health check: the health wait saw it running in every sample.
    expect(restartsOnly[0]?.health).toBe('running');
  });

  it('keeps the tail of long output and redacts known secrets', async () => {
    const { kit } = await start();
    const log = createContainerActionLog({
      db: kit.handle.db,
      log: silent,
      redact: (text) => new Redactor(['hunter22']).redact(text),
    });
    const now = new Date().toISOString();
    await log.record({
      kind: 'rebuild',
      result: 'succeeded',
      output: `${'x'.repeat(OUTPUT_KEPT)}token hunter22 end`,
      exitCode: 0,
      startedAt: now,
      finishedAt: now,
    });
    const [row] = await log.list({ limit: 1 });
    expect(row?.output).toHaveLength(OUTPUT_KEPT);
    expect(row?.output?.endsWith('token [REDACTED] end')).toBe(true);
  });

  /** A second service on the kit's database whose compose command is `command`. */
  async function startKitLike(kit: Kit, command: string) {
    second = containersFeature(
      loadConfig({ DATA_DIR: kit.dataDir, CONTAINER_SOCKET: '', COMPOSE_COMMAND: command }),
      kit.handle,
      silent,
    );
    return second.service;
  }
});
