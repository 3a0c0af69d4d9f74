import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample } from '../../support/webhooks.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const APP_ID = '4242';
const keys = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });

describe.each(DIALECTS)('GitHub App mode on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it("exchanges a JWT signed with the configured key for an installation token and mirrors the installation's repositories", async () => {
    const { publicKey, privateKey } = keys();
    p = await startSourcesPipeline({
      dialect,
      env: { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey },
    });
    p.github.addApp(APP_ID, publicKey);
    // Private: an anonymous fetch would be refused, and the PAT's user is not asked.
    const repos = await seedRepos(p.github, 'acme', ['api', 'web', 'docs'], { private: true });
    const installation = p.github.addInstallation(APP_ID, 'acme', ['acme/api', 'acme/web']);

    expect(await p.sources.installations?.syncAll()).toBe('1 installation(s), 2 new mirror(s)');
    expect(p.github.apps.jwtChecks.length).toBeGreaterThan(0);
    expect(p.github.apps.jwtChecks.every((c) => c.ok && c.appId === APP_ID)).toBe(true);
    const minted = p.github.requests.filter(
      (r) => r.path === `/app/installations/${installation.id}/access_tokens`,
    );
    expect(minted.map((r) => r.status)).toEqual([201]);
    const listed = p.github.requests.find((r) => r.path === '/installation/repositories');
    expect(listed).toMatchObject({ status: 200, login: 'app-4242[bot]' });
    await p.waitSynced(2);
    expect(await p.row(repos[0]!.id)).toMatchObject({
      source: 'installation',
      installation_id: installation.id,
    });
    expect(p.onedev.projectByPath('github/acme/web')).toBeDefined();
    // The clone itself used the installation token, not the PAT of the pipeline.
    const fetches = p.github.requests.filter(
      (r) => r.kind === 'git' && r.path.startsWith('/acme/web') && !r.path.includes('.wiki.git'),
    );
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((r) => r.login === 'app-4242[bot]' && r.status === 200)).toBe(true);
    expect((await p.sources.status()).app).toEqual({ enabled: true, installations: 1 });

    // installation_repositories: added mirrors at once, removed follows the unstar policy.
    const event = webhookExample('installation_repositories', 'added');
    const added = {
      ...event,
      installation: { ...event.installation, id: installation.id },
      repositories_added: [
        { id: repos[2]!.id, name: 'docs', full_name: 'acme/docs', private: false },
      ],
      repositories_removed: [
        { id: repos[0]!.id, name: 'api', full_name: 'acme/api', private: false },
      ],
    };
    expect(await (await p.send('installation_repositories', added)).json()).toMatchObject({
      outcome: 'queued',
    });
    expect(await p.row(repos[2]!.id)).toMatchObject({ source: 'installation' });
    expect(await p.row(repos[0]!.id)).toMatchObject({ status: 'paused', installation_id: null });
  });

  it('a JWT signed with another key is refused by the double', async () => {
    const { privateKey } = keys();
    p = await startSourcesPipeline({
      dialect,
      env: { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey },
    });
    p.github.addApp(APP_ID, keys().publicKey);
    expect(await p.sources.installations?.syncAll()).toMatch(/^failed/);
    expect(p.github.apps.jwtChecks.some((c) => !c.ok)).toBe(true);
    expect((await p.mirrors.summary(0)).counts).toEqual({});
  });
});
