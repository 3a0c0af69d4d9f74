import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/shared/logger.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';

describe('starbridge containers', () => {
  let engine: FakeEngine | undefined;
  let handle: TestDb | undefined;
  afterEach(async () => {
    await handle?.destroy();
    await engine?.close();
    engine = handle = undefined;
  });

  async function cli(args: string[], socket?: string) {
    handle ??= await createTestDb('sqlite');
    const config = loadConfig({
      DATABASE_URL: handle.databaseUrl ?? '',
      CONTAINER_SOCKET: socket ?? engine?.socketPath ?? '',
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

  it('says why when there is no engine', async () => {
    const result = await cli(['list'], '/nonexistent/podman.sock');
    expect(result.code).toBe(1);
    expect(result.text).toMatch(/unavailable — no container engine socket at \/nonexistent/);
  });
});
