import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import { listContainerActions } from '../../../src/containers/container-actions.repo.js';
import { createLogger } from '../../../src/shared/logger.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';

describe('starbridge containers', () => {
  let engine: FakeEngine | undefined;
  let handle: TestDb | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await handle?.destroy();
    await engine?.close();
    engine = handle = undefined;
  });

  async function cli(args: string[], socket?: string, env: Record<string, string> = {}) {
    handle ??= await createTestDb('sqlite');
    const config = loadConfig({
      DATABASE_URL: handle.databaseUrl ?? '',
      CONTAINER_SOCKET: socket ?? engine?.socketPath ?? '',
      RESTART_HEALTH_INTERVAL: '50ms',
      ...env,
    });
    const lines: string[] = [];
    const log = createLogger({ level: 'silent' });
    const code = await runCommand('containers', args, {
      config,
      log,
      out: (line) => lines.push(line),
      serve: async () => 0,
    });
    return { code, text: lines.join('\n') };
  }

  it('lists labelled containers and restarts one or a repository’s followers', async () => {
    engine = await startFakeEngine();
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web@prod' } });
    engine.add({ name: 'plain', labels: {} });
    const list = await cli([]);
    expect(list.code).toBe(0);
    expect(list.text).toMatch(/NAME\s+STATE\s+FOLLOWS\s+IMAGE\nweb\s+running\s+acme\/web@prod/);
    expect(list.text).not.toMatch(/plain/);
    expect(await cli(['restart', 'web'])).toEqual({ code: 0, text: 'web: restarted' });
    expect(await cli(['restart', '--repo', 'acme/web'])).toEqual({
      code: 0,
      text: 'web: restarted',
    });
    expect((await cli(['restart', 'plain'])).code).toBe(1);
    expect(engine.byName('web').restarts).toBe(2);
    expect((await cli(['bogus'])).code).toBe(64);
  });

  it('plans the restarts of a change without restarting anything; retry says when nothing is held', async () => {
    engine = await startFakeEngine();
    const compose = (service: string, dependsOn = '') => ({
      'restart-after': 'acme/web',
      'com.docker.compose.project': 'p',
      'com.docker.compose.service': service,
      'com.docker.compose.depends_on': dependsOn,
    });
    engine.add({ name: 'api', labels: compose('api') });
    engine.add({ name: 'web', labels: compose('web', 'api:service_healthy:false') });
    engine.add({ name: 'docs', labels: { 'restart-after': 'acme/web@main:guide/' } });
    engine.add({ name: 'other', labels: { 'restart-after': 'acme/other' } });
    const plan = await cli(['plan', 'acme/web', '--branch', 'main', '--paths', 'README.md']);
    expect(plan).toEqual({
      code: 0,
      text: [
        'a change of acme/web on main would restart:',
        '  1. api — acme/web: any change of main',
        '  2. web after api — acme/web: any change of main',
        'not restarted:',
        '  docs — acme/web@main:guide/: no given file is under guide/',
        '  other — follows acme/other, not acme/web',
      ].join('\n'),
    });
    const docs = await cli(['plan', 'acme/web', '--branch', 'main', '--paths', 'guide/a.md']);
    expect(docs.text).toMatch(/1\. docs — acme\/web@main:guide\/: guide\/a\.md is under guide\//);
    expect(engine.containers.every((c) => c.restarts === 0)).toBe(true);
    expect((await cli(['plan', 'acme/web', '--from', 'abc'])).code).toBe(64);
    expect(await cli(['retry', 'web'])).toEqual({
      code: 1,
      text: 'starbridge containers: nothing to retry: no working copy that web follows was rolled back',
    });
  });

  it('starts and stops labelled containers only', async () => {
    engine = await startFakeEngine();
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    const plain = engine.add({ name: 'plain', labels: {} });
    expect(await cli(['stop', 'web'])).toEqual({ code: 0, text: 'web: stopped' });
    expect(web.state).toBe('exited');
    expect(await cli(['start', web.id.slice(0, 8)])).toEqual({
      code: 0,
      text: `${web.id.slice(0, 8)}: started`,
    });
    expect(web.state).toBe('running');

    const refused = await cli(['stop', 'plain']);
    expect(refused).toEqual({
      code: 1,
      text: 'starbridge containers: no container "plain" carries the restart-after label',
    });
    expect((await cli(['start', plain.id])).code).toBe(1);
    expect(plain.state).toBe('running');
    const posts = engine.calls.filter((call) => call.startsWith('POST'));
    expect(posts.map((call) => call.replace(/\/v[\d.]+\/containers\/[0-9a-f]+/, ''))).toEqual([
      'POST /stop?t=10',
      'POST /start',
    ]);
    expect(posts.every((call) => call.includes(web.id))).toBe(true);
    expect((await cli(['stop'])).code).toBe(64);
    expect((await cli(['start', 'web', 'plain'])).code).toBe(64);
  });

  it('rebuilds one labelled compose service or all with COMPOSE_COMMAND, printing its output', async () => {
    engine = await startFakeEngine();
    engine.add({
      name: 'stack_web_1',
      labels: { 'restart-after': 'acme/web', 'com.docker.compose.service': 'web' },
    });
    engine.add({ name: 'stack_db_1', labels: { 'com.docker.compose.service': 'db' } });
    const dir = mkdtempSync(join(tmpdir(), 'sb-compose-'));
    dirs.push(dir);
    const argvLog = join(dir, 'argv.log');
    const script = join(dir, 'fake-compose');
    writeFileSync(
      script,
      `#!/bin/sh\necho "$*" >> '${argvLog}'\necho "building $# args"\necho "warning on stderr" >&2\n[ -z "$FAIL" ] || exit 3\n`,
    );
    chmodSync(script, 0o755);
    const composeFile = join(dir, 'compose.yaml');
    const env = { COMPOSE_COMMAND: `${script} --project-name stack`, COMPOSE_FILE: composeFile };
    const ran = () => (existsSync(argvLog) ? readFileSync(argvLog, 'utf8').trim().split('\n') : []);

    const one = await cli(['rebuild', 'web'], undefined, env);
    expect(one.code).toBe(0);
    expect(one.text).toMatch(/building 8 args\nwarning on stderr\nrebuild of web: exit 0$/);
    const all = await cli(['rebuild'], undefined, env);
    expect(all.code).toBe(0);
    expect(all.text).toMatch(/rebuild of all services: exit 0$/);
    expect(ran()).toEqual([
      `--project-name stack -f ${composeFile} up -d --build web`,
      `--project-name stack -f ${composeFile} up -d --build`,
    ]);

    const recorded = await listContainerActions(handle!.db, { limit: 10, kind: 'rebuild' });
    expect(recorded.map((r) => [r.container, r.result, r.exitCode])).toEqual([
      [null, 'succeeded', 0],
      ['web', 'succeeded', 0],
    ]);
    expect(recorded[1]?.output).toMatch(/building 8 args/);

    // A service without a labelled container is refused before anything runs.
    const refused = await cli(['rebuild', 'db'], undefined, env);
    expect(refused).toEqual({
      code: 1,
      text: 'starbridge containers: no container of compose service "db" carries the restart-after label',
    });
    expect(ran()).toHaveLength(2);

    process.env.FAIL = '1';
    const failed = await cli(['rebuild', 'web'], undefined, env).finally(() => {
      delete process.env.FAIL;
    });
    expect(failed.code).toBe(1);
    expect(failed.text).toMatch(/rebuild of web: exit 3$/);

    const unset = await cli(['rebuild']);
    expect(unset.code).toBe(1);
    expect(unset.text).toMatch(/set COMPOSE_COMMAND/);
    expect((await cli(['rebuild', 'a', 'b'], undefined, env)).code).toBe(64);
  });

  it('says why when there is no engine', async () => {
    const result = await cli(['list'], '/nonexistent/podman.sock');
    expect(result.code).toBe(1);
    expect(result.text).toMatch(/unavailable — no container engine socket at \/nonexistent/);
  });
});
