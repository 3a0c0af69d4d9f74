import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import {
  api,
  createBody,
  makeSourceRepo,
  pushWithToken,
  type SourceRepo,
  STANDARD_CAST,
  TOKENS,
} from '../support/onedev-double/test-kit.js';

/** Fault switches and version modes (docs/reference/onedev.md#versions, #the-test-double). */

let double: OneDevDouble;
const sources: SourceRepo[] = [];

beforeEach(async () => {
  double = await startOneDevDouble(STANDARD_CAST);
});

afterEach(async () => {
  await double.close();
  await Promise.all(sources.splice(0).map((s) => s.remove()));
});

const create = (name: string, parentId?: number) =>
  api(double, 'POST', '/~api/projects', { token: TOKENS.admin, body: createBody(name, parentId) });

describe('create faults (point 21)', () => {
  it('creates the project but answers 500, once', async () => {
    double.faults.createSucceedsThen500({ times: 1 });
    expect(await create('github')).toMatchObject({ status: 500, text: 'Server Error' });
    expect(
      await api(double, 'GET', '/~api/projects/ids/github', { token: TOKENS.admin }),
    ).toMatchObject({
      status: 200,
      text: '1',
    });
    // The retry finds the duplicate, as against the real server.
    expect((await create('github')).status).toBe(500);
    expect((await create('gitlab')).status).toBe(200);
    expect(double.requests[0]?.fault).toBe('createSucceedsThen500');
  });

  it('creates the project but answers 409, once', async () => {
    double.faults.createSucceedsThen409({ times: 1 });
    expect(await create('github')).toMatchObject({ status: 409, text: 'Conflict' });
    expect(double.projectByPath('github')).toMatchObject({ id: 1 });
    expect((await create('gitlab')).status).toBe(200);
  });

  it('creates the project but drops the connection', async () => {
    double.faults.createSucceedsThenDrop();
    await expect(create('github')).rejects.toThrow();
    expect(double.projectByPath('github')).toMatchObject({ id: 1 });
    expect(double.requests[0]?.status).toBe(0);
    double.faults.clear();
    expect((await create('gitlab')).status).toBe(200);
  });
});

describe('front faults (point 22)', () => {
  it('answers 503 on REST and git, for the next N requests only', async () => {
    await create('github');
    double.faults.serviceUnavailable({ times: 2 });
    expect(await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).toMatchObject(
      {
        status: 503,
        text: 'Server not ready',
      },
    );
    const git = await api(double, 'GET', '/github.git/info/refs?service=git-upload-pack', {
      token: TOKENS.admin,
    });
    expect(git.status).toBe(503);
    expect((await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).status).toBe(
      200,
    );
  });

  it('makes a git push fail with 503 when scoped to git', async () => {
    await create('github');
    double.faults.serviceUnavailable({ scope: 'git' });
    const src = await makeSourceRepo({ branches: ['main'] });
    sources.push(src);
    const push = await pushWithToken(src.dir, `${double.url}/github.git`, TOKENS.admin, ['main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('503');
    expect((await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).status).toBe(
      200,
    );
  });

  it('sends Retry-After with a 503 when asked', async () => {
    double.faults.serviceUnavailable({ times: 1, retryAfter: '120' });
    const res = await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin });
    expect(res).toMatchObject({ status: 503, text: 'Server not ready' });
    expect(res.headers.get('retry-after')).toBe('120');
  });

  it('answers any status with a text body and Retry-After instead of handling the request', async () => {
    double.faults.status(429, 'Too Many Requests', { times: 1, retryAfter: '30', scope: 'rest' });
    const res = await create('github');
    expect(res).toMatchObject({ status: 429, text: 'Too Many Requests' });
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('retry-after')).toBe('30');
    expect(double.projectByPath('github')).toBeUndefined();
    expect(double.requests[0]?.fault).toBe('status');
  });

  it('fails every Nth matching request only, deterministically', async () => {
    double.faults.serverError({ scope: 'rest', every: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).status,
      );
      // git traffic is out of scope: it neither fails nor counts toward the next fault.
      await api(double, 'GET', '/nothing.git/info/refs?service=git-upload-pack', {
        token: TOKENS.admin,
      });
    }
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500, 200]);
  });

  it('fails a seeded random share of matching requests, the same ones for the same seed', async () => {
    const run = async (seed: number) => {
      double.faults.clear();
      double.faults.serverError({ scope: 'rest', share: 0.5, seed });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        statuses.push(
          (await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).status,
        );
      }
      return statuses;
    };
    const first = await run(7);
    const failed = first.filter((status) => status === 500).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(30);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('redirects instead of answering', async () => {
    double.faults.redirect('/~login', { times: 1 });
    const res = await fetch(`${double.url}/~api/version/server`, {
      headers: { Authorization: `Bearer ${TOKENS.admin}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/~login');
    double.faults.redirect('https://sso.example/login', { status: 307, times: 1 });
    const other = await fetch(`${double.url}/~api/version/server`, { redirect: 'manual' });
    expect(other.status).toBe(307);
    expect(other.headers.get('location')).toBe('https://sso.example/login');
  });

  it('serves nginx’s HTML 502 page', async () => {
    double.faults.badGateway({ scope: 'rest' });
    const res = await create('github');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.text).toContain('<center><h1>502 Bad Gateway</h1></center>');
    expect(double.projectByPath('github')).toBeUndefined();
  });

  it('answers 200 with an HTML sign-in page instead of the API, as a proxy login does', async () => {
    double.faults.loginPage({ scope: 'rest', times: 1 });
    const res = await create('github');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Sign in - Company SSO</title>');
    expect(double.projectByPath('github')).toBeUndefined();
    expect((await create('github')).text).toBe('1');
  });

  it('drops connections and hangs', async () => {
    double.faults.dropConnection({ times: 1 });
    await expect(
      api(double, 'GET', '/~api/version/server', { token: TOKENS.admin }),
    ).rejects.toThrow();
    double.faults.hang({ match: ({ path }) => path === '/~api/version/server' });
    const hung = fetch(`${double.url}/~api/version/server`, {
      headers: { Authorization: `Bearer ${TOKENS.admin}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    expect((await api(double, 'GET', '/~api/users/me', { token: TOKENS.admin })).status).toBe(200);
  });

  it('adds latency', async () => {
    double.faults.latency(200, { times: 1 });
    const started = Date.now();
    expect((await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).status).toBe(
      200,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('queues pack requests beyond the concurrency limit', async () => {
    double.faults.limitPackConcurrency(1);
    const src = await makeSourceRepo({ branches: ['main'] });
    sources.push(src);
    for (const name of ['a', 'b', 'c']) await create(name);
    const pushes = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        pushWithToken(src.dir, `${double.url}/${name}.git`, TOKENS.admin, ['main']),
      ),
    );
    expect(pushes.map((p) => p.code)).toEqual([0, 0, 0]);
    expect(double.maxConcurrentPacks).toBe(1);
  });

  it('a hung request does not keep close() waiting', async () => {
    double.faults.hang();
    const pending = new Promise<void>((resolve) => {
      const req = request(`${double.url}/~api/version/server`);
      req.on('error', () => resolve());
      req.end();
    });
    await new Promise((r) => setTimeout(r, 50));
    await double.close();
    await pending;
    double = await startOneDevDouble(STANDARD_CAST);
  });
});

describe('version modes (point 23)', () => {
  it('has no /ids endpoint before v12.0.10', async () => {
    double.setVersion('12.0.9');
    await create('github');
    expect(
      await api(double, 'GET', '/~api/projects/ids/github', { token: TOKENS.admin }),
    ).toMatchObject({
      status: 404,
      text: 'HTTP 404 Not Found',
    });
    expect((await api(double, 'GET', '/~api/version/server', { token: TOKENS.admin })).text).toBe(
      '12.0.9',
    );
    const found = await api(
      double,
      'GET',
      `/~api/projects?query=${encodeURIComponent('"Path" is "github"')}&offset=0&count=1`,
      {
        token: TOKENS.admin,
      },
    );
    expect(JSON.parse(found.text)).toMatchObject([{ id: 1, path: 'github' }]);
  });

  it('leaves id out of ProjectData on v12.0.0', async () => {
    double.setVersion('12.0.0');
    await create('github');
    const res = await api(double, 'GET', '/~api/projects?offset=0&count=1', {
      token: TOKENS.admin,
    });
    const [project] = JSON.parse(res.text) as Array<Record<string, unknown>>;
    expect(project).toMatchObject({ path: 'github' });
    expect(project).not.toHaveProperty('id');
  });
});
