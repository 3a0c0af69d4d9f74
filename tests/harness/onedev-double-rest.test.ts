import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { api, createBody, STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';

/** REST behaviour of the OneDev double against docs/reference/onedev.md#endpoints-used. */

let double: OneDevDouble;

beforeEach(async () => {
  double = await startOneDevDouble(STANDARD_CAST);
});

afterEach(async () => {
  await double.close();
});

async function create(name: string, parentId?: number, token: string = TOKENS.admin) {
  return api(double, 'POST', '/~api/projects', { token, body: createBody(name, parentId) });
}

describe('POST /~api/projects', () => {
  it('answers 200 with the bare id, ascending, and initialises an unborn main repository', async () => {
    const first = await create('github');
    const second = await create('gitlab');
    expect(first).toMatchObject({ status: 200, text: '1' });
    expect(second).toMatchObject({ status: 200, text: '2' });
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(await double.refs('github')).toEqual({});
    expect(await double.defaultBranch('github')).toBeNull();
    expect(double.projectByPath('GITHUB')).toMatchObject({
      id: 1,
      path: 'github',
      codeManagement: true,
      packManagement: true,
      issueManagement: true,
      timeTracking: false,
    });
  });

  it('reports a case-insensitive duplicate as HTTP 500 with OneDev’s text', async () => {
    await create('github');
    const root = await create('GitHub');
    expect(root).toMatchObject({
      status: 500,
      text: "Name 'GitHub' is already used by another root project",
    });
    expect(root.headers.get('content-type')).toMatch(/^text\/plain/);
    await create('octocat', 1);
    const child = await create('OCTOCAT', 1);
    expect(child).toMatchObject({
      status: 500,
      text: "Name 'OCTOCAT' is already used by another project under 'github'",
    });
  });

  it('rejects unknown properties and missing required objects with 400', async () => {
    const unknown = await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: { ...createBody('a'), timeSheetManagement: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Unrecognized field "timeSheetManagement"');
    const noPack = await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: { name: 'a', codeAnalysisSetting: {} },
    });
    expect(noPack).toMatchObject({
      status: 400,
      text: 'createProject.arg0.gitPackConfig: must not be null',
    });
    const noAnalysis = await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: { name: 'a', gitPackConfig: {} },
    });
    expect(noAnalysis.status).toBe(400);
    expect(noAnalysis.text).toContain('codeAnalysisSetting: must not be null');
    const blankName = await create('   ');
    expect(blankName.status).toBe(400);
    expect(double.projectByPath('a')).toBeUndefined();
  });

  it('does not validate the name rule but records every name sent (docs/reference/onedev.md#name-rule-not-enforced)', async () => {
    expect((await create('.github')).status).toBe(200);
    expect((await create('has space')).status).toBe(200);
    await create('.github');
    expect(double.createdNames).toEqual(['.github', 'has space', '.github']);
  });

  it('applies permissions: anonymous 401, limited token and plain users 403', async () => {
    const anonymous = await api(double, 'POST', '/~api/projects', { body: createBody('x') });
    expect(anonymous).toMatchObject({ status: 401, text: 'Not authenticated' });
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    expect(await create('x', undefined, TOKENS.aliceLimited)).toMatchObject({
      status: 403,
      text: 'Not authorized to create root project',
    });
    expect(await create('x', undefined, TOKENS.bob)).toMatchObject({ status: 403 });
    expect((await create('mine', undefined, TOKENS.alice)).status).toBe(200);
    expect(await create('child', 1, TOKENS.bob)).toMatchObject({
      status: 403,
      text: "Not authorized to create project under 'mine'",
    });
    // The creator owns what it creates, and ownership reaches descendants.
    expect((await create('child', 1, TOKENS.alice)).status).toBe(200);
    expect((await create('grandchild', 2, TOKENS.alice)).status).toBe(200);
    expect(double.projectByPath('mine/child/grandchild')).toMatchObject({ id: 3, parentId: 2 });
  });

  it('answers 404 for a parent that does not exist', async () => {
    const res = await create('x', 99);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Project#99');
  });

  it('requires application/json', async () => {
    const res = await api(double, 'POST', '/~api/projects', {
      token: TOKENS.admin,
      body: JSON.stringify(createBody('x')),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(415);
  });
});

describe('authentication forms (docs/reference/onedev.md#authentication)', () => {
  it('accepts Bearer, token, Basic any:<token>, Basic user:password and OneDevAuthorization', async () => {
    const forms = [
      { authorization: `Bearer ${TOKENS.admin}` },
      { authorization: `token ${TOKENS.admin}` },
      { authorization: `Basic ${Buffer.from(`whoever:${TOKENS.admin}`).toString('base64')}` },
      { authorization: `Basic ${Buffer.from('admin:admin-pw').toString('base64')}` },
      { headers: { OneDevAuthorization: `Bearer ${TOKENS.admin}`, Authorization: 'Bearer nope' } },
    ];
    for (const form of forms) {
      const res = await api(double, 'GET', '/~api/version/server', form);
      expect(res).toMatchObject({ status: 200, text: '16.5.6' });
    }
    expect(double.requests.map((r) => r.auth)).toEqual([
      'bearer',
      'token',
      'basic-token',
      'basic-password',
      'bearer',
    ]);
    expect(double.requests[4]?.authHeader).toBe('OneDevAuthorization');
  });

  it('rejects a bad or expired bearer token or password with 401 and no challenge', async () => {
    double.addToken({
      value: 'expired-token',
      owner: 'admin',
      hasOwnerPermissions: true,
      expired: true,
    });
    for (const authorization of [
      'Bearer wrong',
      'Bearer expired-token',
      `Basic ${Buffer.from('admin:wrong').toString('base64')}`,
    ]) {
      const res = await api(double, 'GET', '/~api/version/server', { authorization });
      expect(res).toMatchObject({ status: 401, text: 'Invalid account or incorrect credentials' });
      expect(res.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('treats case-mismatched prefixes and a bare user name as anonymous', async () => {
    for (const authorization of [
      `bearer ${TOKENS.admin}`,
      `Basic ${Buffer.from('nobody:').toString('base64')}`,
    ]) {
      const res = await api(double, 'GET', '/~api/version/server', { authorization });
      expect(res).toMatchObject({ status: 401, text: 'Not authenticated' });
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="OneDev"');
    }
  });

  it('switches the v11.6 forms <token>: and :<token>', async () => {
    const asUser = `Basic ${Buffer.from(`${TOKENS.admin}:`).toString('base64')}`;
    const emptyUser = `Basic ${Buffer.from(`:${TOKENS.admin}`).toString('base64')}`;
    expect(
      (await api(double, 'GET', '/~api/version/server', { authorization: asUser })).status,
    ).toBe(401);
    expect(
      (await api(double, 'GET', '/~api/version/server', { authorization: emptyUser })).status,
    ).toBe(401);
    double.setTokenAsUserName(true);
    expect(
      (await api(double, 'GET', '/~api/version/server', { authorization: asUser })).status,
    ).toBe(200);
    expect(
      (await api(double, 'GET', '/~api/version/server', { authorization: emptyUser })).status,
    ).toBe(200);
  });

  it('lets anonymous GETs through only with anonymous access on', async () => {
    expect((await api(double, 'GET', '/~api/version/server')).status).toBe(401);
    double.setAnonymousAccess(true);
    expect(await api(double, 'GET', '/~api/version/server')).toMatchObject({
      status: 200,
      text: '16.5.6',
    });
    await create('hidden');
    expect(await api(double, 'GET', '/~api/projects/ids/hidden')).toMatchObject({
      status: 404,
      text: 'Project not found or inaccessible: hidden',
    });
  });

  it('answers /users/me for full tokens and 403 for limited ones', async () => {
    const me = await api(double, 'GET', '/~api/users/me', { token: TOKENS.alice });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text)).toMatchObject({ name: 'alice' });
    expect(
      (await api(double, 'GET', '/~api/users/me', { token: TOKENS.aliceLimited })).status,
    ).toBe(403);
  });
});
