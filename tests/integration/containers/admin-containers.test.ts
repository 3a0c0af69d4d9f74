import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/admin.routes.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { type Kit, NOBODY, startKit } from './containers-kit.js';

const TOKEN = 'admin-token-for-container-tests-0001';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('admin API: /api/v1/containers', () => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  async function start(env: Record<string, string> = {}, faults = {}, self = NOBODY) {
    engine = await startFakeEngine({ ignoreFilters: true, ...faults });
    kit = await startKit({
      dialect: 'sqlite',
      env: { CONTAINER_SOCKET: engine.socketPath, ...env },
      self,
    });
    const log = createLogger({
      level: 'silent',
      destination: new Writable({ write: (_c, _e, d) => d() }) as never,
    });
    const routes = adminRoutes({
      token: TOKEN,
      handle: kit.handle,
      mirrors: createMirrorService({ handle: kit.handle, clock: systemClock }),
      github: createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
      containers: kit.feature.service,
    });
    const health = createHealthService({ db: kit.handle, dataDir: kit.dataDir, probes: [] });
    const app = createApp({ log, health, routes: [routes] });
    const call = async (method: string, path: string) => {
      const res = await app.request(path, { method, headers: auth });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { engine, kit, call };
  }

  it('plans a change: included or not and why, in order; bad questions are 400, a retry with nothing held 409', async () => {
    const { engine, call } = await start();
    engine.add({ name: 'web', labels: { 'restart-after': 'acme/web:src/' } });
    engine.add({ name: 'plain', labels: { app: 'x' } });
    const plan = await call(
      'GET',
      '/api/v1/containers/plan?repo=acme/web&branch=main&paths=src/a.ts,README.md',
    );
    expect(plan).toEqual({
      status: 200,
      body: {
        repository: 'acme/web',
        branch: 'main',
        files: 'given',
        containers: [
          {
            name: 'web',
            id: engine.byName('web').id,
            included: true,
            reason: 'acme/web:src/: src/a.ts is under src/',
            wave: 1,
            after: [],
          },
        ],
      },
    });
    expect(engine.byName('web').restarts).toBe(0);
    for (const query of [
      'repo=not-a-repo',
      'repo=acme/web&from=abc&to=def',
      'repo=acme/web&from=abc',
      `repo=acme/web&paths=x&from=${'a'.repeat(40)}&to=${'b'.repeat(40)}`,
    ]) {
      expect((await call('GET', `/api/v1/containers/plan?${query}`)).status).toBe(400);
    }
    // A commit range needs the mirror's cache.
    const range = `from=${'a'.repeat(40)}&to=${'b'.repeat(40)}`;
    expect((await call('GET', `/api/v1/containers/plan?repo=acme/web&${range}`)).status).toBe(404);
    expect((await call('POST', '/api/v1/containers/web/retry')).status).toBe(409);
    expect((await call('POST', '/api/v1/containers/plain/retry')).status).toBe(404);
  });

  it('lists labelled containers only, with what they follow and their last restart', async () => {
    const { engine, call } = await start();
    engine.add({
      name: 'web',
      labels: { 'restart-after': 'acme/web, shared@prod' },
      health: 'healthy',
    });
    engine.add({ name: 'plain', labels: { app: 'x' } });
    await call('POST', '/api/v1/containers/web/restart');
    const { status, body } = await call('GET', '/api/v1/containers');
    expect(status).toBe(200);
    expect(body.engine).toEqual({ available: true, engine: 'docker', apiVersion: '1.41' });
    expect(body.containers).toEqual([
      {
        id: engine.byName('web').id,
        name: 'web',
        image: 'localhost/test:latest',
        state: 'running',
        health: 'healthy',
        follows: [{ repo: 'acme/web' }, { repo: 'shared', branch: 'prod' }],
        lastRestart: { at: expect.any(String), result: 'restarted' },
      },
    ]);
  });

  it('acts on labelled containers only (by name, id or id prefix)', async () => {
    const { engine, call } = await start();
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    engine.add({ name: 'plain', labels: {} });
    expect((await call('POST', '/api/v1/containers/web/stop')).status).toBe(200);
    expect(web.state).toBe('exited');
    expect((await call('POST', `/api/v1/containers/${web.id.slice(0, 12)}/start`)).status).toBe(
      200,
    );
    expect(web.state).toBe('running');
    expect((await call('POST', `/api/v1/containers/${web.id}/restart`)).status).toBe(200);
    expect(web.restarts).toBe(1);
    const refused = await call('POST', '/api/v1/containers/plain/restart');
    expect(refused.status).toBe(404);
    expect(engine.calls.filter((c) => c.startsWith('POST') && !c.includes(web.id))).toEqual([]);
  });

  it('restarts every follower of a repository', async () => {
    const { engine, call } = await start();
    engine.add({ name: 'a', labels: { 'restart-after': 'acme/web' } });
    engine.add({ name: 'b', labels: { 'restart-after': 'web@release' } });
    engine.add({ name: 'c', labels: { 'restart-after': 'acme/other' } });
    const { status, body } = await call('POST', '/api/v1/containers/repository/acme/web/restart');
    expect(status).toBe(200);
    expect(body).toEqual({
      repository: 'acme/web',
      results: [
        { container: 'a', result: 'restarted' },
        { container: 'b', result: 'restarted' },
      ],
    });
    expect(engine.byName('c').restarts).toBe(0);
  });

  it('a forbidding proxy is a 502 that says how to fix it', async () => {
    const { engine, call } = await start({}, { actions: { web: 'forbidden' } });
    engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    const res = await call('POST', '/api/v1/containers/web/stop');
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).toMatch(/socket proxy/);
  });

  it("never stops or restarts Starbridge's own container (409)", async () => {
    const { engine, call } = await start({}, {}, { hostname: 'starbridge', ids: new Set() });
    const me = engine.add({ name: 'starbridge', labels: { 'restart-after': 'starbridge' } });
    expect((await call('POST', '/api/v1/containers/starbridge/restart')).status).toBe(409);
    expect((await call('POST', '/api/v1/containers/starbridge/stop')).status).toBe(409);
    expect(me.restarts).toBe(0);
  });

  it('rebuilds with COMPOSE_COMMAND, keeping the output', async () => {
    const { engine, call } = await start({
      COMPOSE_COMMAND: 'echo compose',
      COMPOSE_FILE: 'stack.yml',
    });
    engine.add({
      name: 'web-1',
      labels: { 'restart-after': 'web', 'com.docker.compose.service': 'web' },
    });
    const all = await call('POST', '/api/v1/containers/rebuild');
    expect(all).toEqual({
      status: 200,
      body: { exitCode: 0, output: 'compose -f stack.yml up -d --build\n' },
    });
    const one = await call('POST', '/api/v1/containers/rebuild?service=web');
    expect(one.body.output).toBe('compose -f stack.yml up -d --build web\n');
    expect((await call('POST', '/api/v1/containers/rebuild?service=db')).status).toBe(404);
  });

  it('lists recorded actions, newest first, filtered by kind', async () => {
    const { engine, call } = await start({ COMPOSE_COMMAND: 'echo compose' });
    engine.add({ name: 'web', labels: { 'restart-after': 'web' } });
    await call('POST', '/api/v1/containers/web/restart');
    await call('POST', '/api/v1/containers/rebuild');
    const all = await call('GET', '/api/v1/containers/actions');
    expect(all.status).toBe(200);
    const actions = all.body.actions as Array<Record<string, unknown>>;
    expect(actions.map((a) => [a.kind, a.result])).toEqual([
      ['rebuild', 'succeeded'],
      ['restart', 'restarted'],
    ]);
    expect(actions[0]).toMatchObject({ output: 'compose up -d --build\n', exitCode: 0 });
    const restarts = await call('GET', '/api/v1/containers/actions?kind=restart&limit=5');
    expect((restarts.body.actions as unknown[]).length).toBe(1);
    expect((await call('GET', '/api/v1/containers/actions?kind=delete')).status).toBe(400);
    expect((await call('GET', '/api/v1/containers/actions?limit=0')).status).toBe(400);
  });

  it('without an engine or compose command the answers say what to set', async () => {
    const { call } = await start({ CONTAINER_SOCKET: '' });
    const list = await call('GET', '/api/v1/containers');
    expect(list.body).toEqual({
      engine: { available: false, message: expect.stringMatching(/CONTAINER_SOCKET is empty/) },
      containers: [],
    });
    expect((await call('POST', '/api/v1/containers/web/restart')).status).toBe(503);
    const rebuild = await call('POST', '/api/v1/containers/rebuild');
    expect(rebuild.status).toBe(503);
    expect(JSON.stringify(rebuild.body)).toMatch(/COMPOSE_COMMAND/);
  });

  it('the OpenAPI document lists the container operations', async () => {
    const { call } = await start();
    const doc = (await call('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, unknown>;
    };
    expect(
      Object.keys(doc.paths)
        .filter((p) => p.startsWith('/api/v1/containers'))
        .sort(),
    ).toEqual([
      '/api/v1/containers',
      '/api/v1/containers/actions',
      '/api/v1/containers/plan',
      '/api/v1/containers/rebuild',
      '/api/v1/containers/repository/{owner}/{name}/restart',
      '/api/v1/containers/{id}/restart',
      '/api/v1/containers/{id}/retry',
      '/api/v1/containers/{id}/start',
      '/api/v1/containers/{id}/stop',
    ]);
  });
});
