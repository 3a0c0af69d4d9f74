import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import {
  api,
  createHelloProject,
  makeSourceRepo,
  pushWithToken,
  type SourceRepo,
  STANDARD_CAST,
  TOKENS,
} from '../support/onedev-double/test-kit.js';

/**
 * The project setting endpoint and user-matched protections, as OneDev 16.5 has them
 * (docs/reference/onedev.md#project-setting, #protection-rules).
 */

let double: OneDevDouble;
const sources: SourceRepo[] = [];
const HELLO = 'github/octocat/hello';
const SETTING = '/~api/projects/3/setting';

beforeEach(async () => {
  double = await startOneDevDouble(STANDARD_CAST);
  await createHelloProject(double);
});

afterEach(async () => {
  await double.close();
  await Promise.all(sources.splice(0).map((s) => s.remove()));
});

describe('GET/POST /~api/projects/{id}/setting', () => {
  it('answers the whole setting to a manager, and 403 Not authorized to anyone else', async () => {
    const read = await api(double, 'GET', SETTING, { token: TOKENS.admin });
    expect(read.status).toBe(200);
    const setting = JSON.parse(read.text);
    expect(Object.keys(setting).sort()).toEqual(
      [
        'branchProtections',
        'buildSetting',
        'contributedSettings',
        'issueSetting',
        'namedCodeCommentQueries',
        'namedCommitQueries',
        'packSetting',
        'pullRequestSetting',
        'tagProtections',
        'webHooks',
        'workspaceSetting',
      ].sort(),
    );
    double.grant('bob', HELLO, 'write');
    const bob = await api(double, 'GET', SETTING, { token: TOKENS.bob });
    expect(bob).toMatchObject({ status: 403, text: 'Not authorized' });
    const post = await api(double, 'POST', SETTING, { token: TOKENS.bob, body: setting });
    expect(post).toMatchObject({ status: 403, text: 'Not authorized' });
  });

  it('replaces the whole setting, filling each rule with OneDev’s defaults', async () => {
    const rule = { branches: 'main', userMatch: 'anyone except user(admin)' };
    const body = { branchProtections: [rule], webHooks: [{ postUrl: 'https://x' }] };
    expect((await api(double, 'POST', SETTING, { token: TOKENS.admin, body })).status).toBe(200);
    const setting = double.setting(HELLO);
    expect(setting.branchProtections).toEqual([
      expect.objectContaining({
        ...rule,
        enabled: true,
        preventCreation: true,
        preventDeletion: true,
        preventForcedPush: true,
        reviewRequirement: null,
      }),
    ]);
    expect(setting.tagProtections).toEqual([]);
    expect(setting.webHooks).toEqual([{ postUrl: 'https://x' }]);
  });

  it('validates before it checks the permission: 500 with the property path; unknown fields 400', async () => {
    const bad = { branchProtections: [{ branches: '**', userMatch: 'user(nobody)' }] };
    double.grant('bob', HELLO, 'write');
    const answer = await api(double, 'POST', SETTING, { token: TOKENS.bob, body: bad });
    expect(answer).toMatchObject({
      status: 500,
      text: 'branchProtections[0].userMatch: Unable to find user with login: nobody',
    });
    const empty = { tagProtections: [{ tags: '', userMatch: 'anyone' }] };
    expect(await api(double, 'POST', SETTING, { token: TOKENS.admin, body: empty })).toMatchObject({
      status: 500,
      text: 'tagProtections[0].tags: must not be empty',
    });
    const unknown = { branchProtections: [{ branches: '**', readOnly: true }] };
    const refused = await api(double, 'POST', SETTING, { token: TOKENS.admin, body: unknown });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Unrecognized field "readOnly"');
  });
});

describe('user-matched protections in the pre-receive', () => {
  it('applies the first rule matching the pusher: others are refused, the excepted user is not', async () => {
    double.setBranchProtection(HELLO, [
      { branches: '**', userMatch: 'anyone except user(admin)', reviewRequirement: 'user(admin)' },
      // Never reached for bob: the first rule already matched.
      { branches: '**', userMatch: 'anyone', preventCreation: false },
    ]);
    double.grant('bob', HELLO, 'write');
    const src = await makeSourceRepo({ branches: ['main', 'topic'] });
    sources.push(src);
    const url = `${double.url}/${HELLO}.git`;
    expect((await pushWithToken(src.dir, url, TOKENS.admin, ['main'])).code).toBe(0);

    const create = await pushWithToken(src.dir, url, TOKENS.bob, ['topic']);
    expect(create.stderr).toContain(
      'Cannot create this branch according to branch protection setting',
    );
    await src.commit('main');
    const forward = await pushWithToken(src.dir, url, TOKENS.bob, ['main']);
    expect(forward.code).not.toBe(0);
    expect(forward.stderr).toContain(
      'Review required for your change. Please submit pull request instead',
    );
    // The admin is excepted from the first rule, and the second allows everything but deletion.
    expect((await pushWithToken(src.dir, url, TOKENS.admin, ['main', 'topic'])).code).toBe(0);
    const remove = await pushWithToken(src.dir, url, TOKENS.admin, [':topic']);
    expect(remove.stderr).toContain(
      'Cannot delete this branch according to branch protection setting',
    );
  });
});
