import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { api, createBody, STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';

/**
 * Lookup, query, update and delete (docs/reference/onedev.md#endpoints-used, #project-query,
 * #project-id-by-path).
 */

let double: OneDevDouble;

beforeEach(async () => {
  double = await startOneDevDouble(STANDARD_CAST);
  // github(1) / octocat(2) / hello-world(3), github/octocat/hello_world(4), gitlab(5)
  for (const [name, parent] of [
    ['github', undefined],
    ['octocat', 1],
    ['hello-world', 2],
    ['hello_world', 2],
    ['gitlab', undefined],
  ] as const) {
    const res = await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: createBody(name, parent),
    });
    expect(res.status).toBe(200);
  }
});

afterEach(async () => {
  await double.close();
});

const get = (path: string, token: string = TOKENS.admin) => api(double, 'GET', path, { token });

async function query(q: string | undefined, extra = '&offset=0&count=100'): Promise<string[]> {
  const qs = q === undefined ? extra.slice(1) : `query=${encodeURIComponent(q)}${extra}`;
  const res = await get(`/~api/projects?${qs}`);
  expect(res.status, res.text).toBe(200);
  return (JSON.parse(res.text) as Array<{ path: string }>).map((p) => p.path);
}

describe('GET /~api/projects/ids/{path}', () => {
  it('resolves case-insensitively to a bare number', async () => {
    expect(await get('/~api/projects/ids/GitHub/OctoCat/Hello-World')).toMatchObject({
      status: 200,
      text: '3',
    });
  });

  it('answers 404 with one text for missing and inaccessible projects', async () => {
    expect(await get('/~api/projects/ids/github/nobody')).toMatchObject({
      status: 404,
      text: 'Project not found or inaccessible: github/nobody',
    });
    expect(await get('/~api/projects/ids/github', TOKENS.bob)).toMatchObject({
      status: 404,
      text: 'Project not found or inaccessible: github',
    });
  });
});

describe('GET /~api/projects', () => {
  it('checks query params strictly with 406 texts', async () => {
    expect(await get('/~api/projects')).toMatchObject({
      status: 406,
      text: 'Missing query params: [offset, count]',
    });
    expect(await get('/~api/projects?offset=0')).toMatchObject({
      status: 406,
      text: 'Missing query params: [count]',
    });
    expect(await get('/~api/projects?offset=0&count=1&page=2')).toMatchObject({
      status: 406,
      text: 'Unexpected query params: [page]',
    });
    expect(await get('/~api/projects?offset=0&count=101', TOKENS.alice)).toMatchObject({
      status: 406,
      text: 'Count should not be greater than 100',
    });
    expect((await get('/~api/projects?offset=0&count=101')).status).toBe(200);
  });

  it('supports Path, Name, children of, and/or; default order is last activity descending', async () => {
    expect(await query('"Path" is "GITHUB/octocat/hello-world"')).toEqual([
      'github/octocat/hello-world',
    ]);
    expect(await query('"Path" is "github/*"')).toEqual(['github/octocat']);
    expect(await query('"Path" is "github/**"')).toEqual([
      'github/octocat/hello_world',
      'github/octocat/hello-world',
      'github/octocat',
      'github',
    ]);
    // LIKE semantics: `_` matches any one character (docs/reference/onedev.md#project-query).
    expect(await query('"Name" is "hello_world"')).toEqual([
      'github/octocat/hello_world',
      'github/octocat/hello-world',
    ]);
    expect(await query('children of "github/octocat" and "Name" is "hello-*"')).toEqual([
      'github/octocat/hello-world',
    ]);
    expect(await query('"Name" is "gitlab" or "Name" is "github" order by "Id" asc')).toEqual([
      'github',
      'gitlab',
    ]);
    expect(await query(undefined, '&offset=1&count=2')).toEqual([
      'github/octocat/hello_world',
      'github/octocat/hello-world',
    ]);
  });

  it('answers 406 for syntax errors and 500 for unknown fields', async () => {
    expect(
      await get(`/~api/projects?query=${encodeURIComponent('"Path" is')}&offset=0&count=1`),
    ).toMatchObject({
      status: 406,
      text: 'Invalid query',
    });
    expect(
      await get(`/~api/projects?query=${encodeURIComponent('"Colour" is "red"')}&offset=0&count=1`),
    ).toMatchObject({ status: 500, text: 'Field not found: Colour' });
  });

  it('shows only accessible projects and pretty-prints ProjectData', async () => {
    const res = await get('/~api/projects?offset=0&count=10', TOKENS.bob);
    expect(res).toMatchObject({ status: 200, text: '[ ]' });
    const one = await get('/~api/projects/1');
    expect(one.text).toMatch(/^\{\n {2}"id" : 1,\n {2}"parentId" : null,/);
    expect(JSON.parse(one.text)).toMatchObject({
      gitPackConfig: { window: null },
      codeAnalysisSetting: { analysisFiles: null },
    });
  });
});

describe('single project resources', () => {
  it('answers 404 for unknown ids and 403 without access', async () => {
    expect((await get('/~api/projects/99')).status).toBe(404);
    expect(await get('/~api/projects/1', TOKENS.bob)).toMatchObject({
      status: 403,
      text: 'Not authorized',
    });
    expect((await get('/~api/projects/abc')).status).toBe(404);
  });

  it('answers PUT with 405 and unknown paths with 404', async () => {
    const put = await api(double, 'PUT', '/~api/projects/1', {
      token: TOKENS.admin,
      body: createBody('x'),
    });
    expect(put.status).toBe(405);
    expect((await get('/~api/nothing/here')).status).toBe(404);
  });

  it('updates by full replacement, renames descendants, and checks duplicates', async () => {
    const update = (id: number, body: Record<string, unknown>) =>
      api(double, 'POST', `/~api/projects/${id}`, { token: TOKENS.admin, body });
    const renamed = await update(1, { ...createBody('gh'), description: 'mirrors' });
    expect(renamed).toMatchObject({ status: 200, text: '' });
    expect(double.projectByPath('gh/octocat/hello-world')).toMatchObject({ id: 3 });
    expect(await update(1, createBody('GitLab'))).toMatchObject({
      status: 500,
      text: "Name 'GitLab' is already used by another root project",
    });
    expect(await update(1, { ...createBody('gh'), issueManagement: false })).toMatchObject({
      status: 200,
    });
    // Omitted fields reset: description back to null.
    expect(double.projectByPath('gh')).toMatchObject({ description: null, issueManagement: false });
    expect(await update(1, createBody('gh', 3))).toMatchObject({
      status: 500,
      text: 'Cannot use current or descendant project as parent',
    });
    expect(await update(1, { name: 'gh', codeAnalysisSetting: {} })).toMatchObject({ status: 400 });
    expect(
      (await api(double, 'POST', '/~api/projects/1', { token: TOKENS.bob, body: createBody('gh') }))
        .status,
    ).toBe(403);
  });

  it('deletes recursively', async () => {
    const res = await api(double, 'DELETE', '/~api/projects/2', { token: TOKENS.admin });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(double.projectByPath('github/octocat/hello-world')).toBeUndefined();
    expect(double.projectByPath('github')).toBeDefined();
  });

  it('gives clone URLs under the server URL', async () => {
    const res = await get('/~api/projects/3/clone-url');
    expect(JSON.parse(res.text)).toEqual({
      http: `${double.url}/github/octocat/hello-world.git`,
      ssh: 'ssh://127.0.0.1:6611/github/octocat/hello-world.git',
    });
  });
});
