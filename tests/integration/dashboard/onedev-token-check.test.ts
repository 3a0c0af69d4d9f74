import { afterEach, describe, expect, it } from 'vitest';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';
import { tokenChecksFor } from '../../support/token-checks.js';

/**
 * The Settings page's OneDev check against the double's cast: admin (everything), alice
 * (may create root projects), alice's token without owner permissions, bob (nothing).
 */
describe('OneDev token check', () => {
  let onedev: OneDevDouble | undefined;
  afterEach(async () => {
    await onedev?.close();
    onedev = undefined;
  });

  async function start(): Promise<OneDevDouble> {
    onedev = await startOneDevDouble(STANDARD_CAST);
    return onedev;
  }

  const check = (double: OneDevDouble, token: string, rootProject = 'github') =>
    tokenChecksFor({
      github: { apiUrl: 'http://127.0.0.1:9' },
      onedev: { url: double.url, token, rootProject },
    }).onedev();

  /** Creates OneDev answered with success: a check must make none. */
  const createdProjects = (double: OneDevDouble) =>
    double.requests.filter((r) => r.method === 'POST' && r.status === 200).length;

  it('finds that a token may create projects under the root project, without creating one', async () => {
    const double = await start();
    await double.addProject('github/octocat', { owner: 'admin' });
    const report = await check(double, TOKENS.admin);
    expect(report.ok).toBe(true);
    expect(report.summary).toBe('OneDev 16.5.6 accepts the token of admin');
    expect(report.can).toEqual([
      "act as admin, with its owner's permissions",
      "see 'github'",
      "create projects under 'github'",
    ]);
    expect(report.how).toContain("asked to create 'octocat' under 'github' again");
    expect(createdProjects(double)).toBe(0);
    expect(double.projectByPath('github/octocat')).toBeDefined();
    expect(JSON.stringify(report)).not.toContain(TOKENS.admin);
  });

  it('says a token that sees the root project may not create under it', async () => {
    const double = await start();
    await double.addProject('github/octocat', { owner: 'admin' });
    double.grant('bob', 'github', 'read');
    const report = await check(double, TOKENS.bob);
    expect(report.ok).toBe(false);
    expect(report.can).toContain("see 'github'");
    expect(report.cannot).toEqual([
      'create projects under \'github\': it needs the Owner role (or "create child projects") on that project',
    ]);
    expect(createdProjects(double)).toBe(0);
  });

  it('checks root creation when the root project is missing', async () => {
    const double = await start();
    await double.addProject('alices-tools', { owner: 'alice' });
    const alice = await check(double, TOKENS.alice);
    expect(alice.ok).toBe(true);
    expect(alice.unchecked).toEqual([
      "see 'github': it does not exist yet, or the token may not see it",
    ]);
    expect(alice.can).toContain("create the project 'github' that mirrors go under");
    expect(alice.how).toContain("asked to create the top-level project 'alices-tools' again");

    double.grant('bob', 'alices-tools', 'read');
    const bob = await check(double, TOKENS.bob);
    expect(bob.ok).toBe(false);
    expect(bob.cannot[0]).toMatch(/^create the project 'github' that mirrors go under: it needs/);
    expect(createdProjects(double)).toBe(0);
    expect(double.projectByPath('github')).toBeUndefined();
  });

  it('says a token without owner permissions can never create root projects', async () => {
    const double = await start();
    const report = await check(double, TOKENS.aliceLimited, '');
    expect(report.ok).toBe(false);
    expect(report.summary).toBe('OneDev 16.5.6 accepts the token, without owner permissions');
    expect(report.cannot).toEqual([
      'act with its owner\'s permissions ("has owner permissions" is off): only in projects it was authorized for',
      'create root projects (each GitHub owner becomes one): it needs "has owner permissions" on the token, and an owner who is an administrator or in a group allowed to create root projects',
    ]);
    expect(double.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('says what it could not check without creating a project', async () => {
    const double = await start();
    await double.addProject('github', { owner: 'admin' });
    const report = await check(double, TOKENS.admin);
    expect(report.unchecked).toEqual([
      "create projects under 'github': no project under it is visible to the token, and checking otherwise would create one",
    ]);
    expect(double.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('reports a rejected token', async () => {
    const double = await start();
    const report = await check(double, 'not-a-token');
    expect(report).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/rejected the token \(401\)/),
    });
  });
});
