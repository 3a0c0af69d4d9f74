import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { DIALECTS } from '../../support/test-db.js';
import { type Kit, moved, restarts, startKit } from './containers-kit.js';

const MAIN = [moved('refs/heads/main')];

describe.each(DIALECTS)('restarts after sync, against a fake engine, on %s', (dialect) => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  async function start(faults: Parameters<typeof startFakeEngine>[0] = {}, env = {}) {
    engine = await startFakeEngine(faults);
    kit = await startKit({ dialect, env: { CONTAINER_SOCKET: engine.socketPath, ...env } });
    return { engine, kit };
  }

  it('five syncs inside the window give one restart of each follower, recorded in every run', async () => {
    const { engine, kit } = await start();
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    engine.add({ name: 'web-by-name', labels: { 'restart-after': ' other , WEB ' } });
    engine.add({ name: 'other', labels: { 'restart-after': 'acme/other' } });
    engine.add({ name: 'plain', labels: {} });
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await kit.sync('acme/web', MAIN));
    await kit.feature.flush();
    expect(engine.containers.map((c) => `${c.name}:${c.restarts}`)).toEqual([
      'web:1',
      'web-by-name:1',
      'other:0',
      'plain:0',
    ]);
    for (const run of runs) {
      expect(restarts(await kit.ledger(run))).toEqual(['web-by-name:restarted', 'web:restarted']);
    }
  });

  it('waits out the debounce window before restarting', async () => {
    const { engine, kit } = await start({}, { RESTART_DEBOUNCE: '400ms' });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    await kit.sync('acme/web', MAIN);
    await sleep(150);
    await kit.sync('acme/web', MAIN);
    expect(web.restarts).toBe(0);
    await sleep(600);
    expect(web.restarts).toBe(1);
  });

  it('a failed sync, or one that moved nothing, restarts nothing', async () => {
    const { engine, kit } = await start();
    engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    const failed = await kit.sync('acme/web', MAIN, 'retrying');
    const unchanged = await kit.sync('acme/web', [], 'unchanged');
    await kit.feature.flush();
    expect(engine.calls).toEqual([]);
    expect(await kit.ledger(failed)).toEqual([]);
    expect(await kit.ledger(unchanged)).toEqual([]);
  });

  it('@branch restarts only when that branch moved', async () => {
    const { engine, kit } = await start();
    const prod = engine.add({ name: 'prod', labels: { 'restart-after': 'acme/web@release' } });
    const dev = engine.add({ name: 'dev', labels: { 'restart-after': 'acme/web' } });
    await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect([prod.restarts, dev.restarts]).toEqual([0, 1]);
    await kit.sync('acme/web', [moved('refs/heads/release')]);
    await kit.feature.flush();
    expect([prod.restarts, dev.restarts]).toEqual([1, 2]);
  });

  it('an engine that ignores the label filter cannot get unlabelled containers restarted', async () => {
    const { engine, kit } = await start({ ignoreFilters: true });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    const plain = engine.add({ name: 'plain', labels: { app: 'web' } });
    const wildcard = engine.add({ name: 'wild', labels: { 'restart-after': '*' } });
    await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect([web.restarts, plain.restarts, wildcard.restarts]).toEqual([1, 0, 0]);
  });

  it('404 is a warning (others still restart); 403 and 500 are recorded with advice', async () => {
    const actions = { gone: 'notFound', denied: 'forbidden', broken: 'error' } as const;
    const { engine, kit } = await start({ actions });
    for (const name of ['ok', 'gone', 'denied', 'broken']) {
      engine.add({ name, labels: { 'restart-after': 'web' } });
    }
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    const ledger = await kit.ledger(run);
    expect(restarts(ledger)).toEqual([
      'broken:failed',
      'denied:failed',
      'gone:gone',
      'ok:restarted',
    ]);
    const message = (name: string) =>
      ledger.find((e) => e.kind === 'restart' && e.container === name)?.message ?? '';
    expect(message('denied')).toMatch(/forbade POST \/containers\/.*\/restart.*POST=1/);
    expect(message('broken')).toMatch(/HTTP 500 \(runtime exploded\)/);
    expect(kit.logs.join('')).toMatch(/"result":"gone".*container restart did not succeed/);
  });

  it('a restart that hangs is cut off and reported; the others are not held up', async () => {
    const { engine, kit } = await start({ actions: { stuck: 'hang' } });
    engine.add({ name: 'stuck', labels: { 'restart-after': 'web' } });
    engine.add({ name: 'ok', labels: { 'restart-after': 'web' } });
    const run = await kit.sync('acme/web', MAIN);
    const started = Date.now();
    await kit.feature.flush();
    // requestTimeoutMs 1.5 s + the stop grace t=1 s, plus the debounce window.
    expect(Date.now() - started).toBeLessThan(5_000);
    const ledger = await kit.ledger(run);
    expect(restarts(ledger)).toEqual(['ok:restarted', 'stuck:timeout']);
    expect(JSON.stringify(ledger)).toMatch(/did not answer POST \/containers\/.*\/restart within/);
  });

  it('never restarts its own container', async () => {
    engine = await startFakeEngine();
    const me = engine.add({ name: 'starbridge', labels: { 'restart-after': 'web' } });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    kit = await startKit({
      dialect,
      env: { CONTAINER_SOCKET: engine.socketPath },
      self: { hostname: me.id.slice(0, 12), ids: new Set() },
    });
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect([me.restarts, web.restarts]).toEqual([0, 1]);
    expect(restarts(await kit.ledger(run))).toEqual(['starbridge:skipped', 'web:restarted']);
  });

  it('waits (bounded) for running and healthy, and says when it is not', async () => {
    const afterRestart = { crashy: { state: 'exited' }, sick: { health: 'unhealthy' } };
    const { engine, kit } = await start({ afterRestart }, { RESTART_WAIT: '300ms' });
    engine.add({ name: 'crashy', labels: { 'restart-after': 'web' } });
    engine.add({ name: 'sick', labels: { 'restart-after': 'web' }, health: 'healthy' });
    engine.add({ name: 'fine', labels: { 'restart-after': 'web' }, health: 'healthy' });
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect(restarts(await kit.ledger(run))).toEqual([
      'crashy:not_running',
      'fine:restarted',
      'sick:unhealthy',
    ]);
  });

  it('a proxy that forbids listing skips the restarts with advice; the sync run stays as it was', async () => {
    const { engine, kit } = await start({ forbidAll: true });
    engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect(await kit.ledger(run)).toEqual([
      {
        kind: 'skipped',
        message: expect.stringMatching(
          /^restarts skipped: container API forbade GET \/containers\/json/,
        ),
      },
    ]);
  });
});

describe('without a container engine', () => {
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    kit = undefined;
  });

  it('CONTAINER_SOCKET empty: the run records that restarts were skipped', async () => {
    kit = await startKit({ dialect: 'sqlite', env: { CONTAINER_SOCKET: '' } });
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    expect(await kit.ledger(run)).toEqual([
      { kind: 'skipped', message: expect.stringMatching(/^restarts skipped: no container engine/) },
    ]);
  });

  it('a configured socket that does not exist: skipped, saying what to do', async () => {
    const env = { CONTAINER_SOCKET: '/nonexistent/podman.sock' };
    kit = await startKit({ dialect: 'sqlite', env });
    const run = await kit.sync('acme/web', MAIN);
    await kit.feature.flush();
    const [entry] = await kit.ledger(run);
    expect(entry).toEqual({
      kind: 'skipped',
      message: expect.stringMatching(
        /^restarts skipped: no container engine socket at \/nonexistent\/podman.sock: start the Podman API socket/,
      ),
    });
  });
});
