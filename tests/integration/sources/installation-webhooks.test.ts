import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample } from '../../support/webhooks.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const APP_ID = '6161';

describe.each(DIALECTS)('installation webhooks on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });

  it('installation/created mirrors its repositories; installation/deleted releases those nothing else holds', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    p = await startSourcesPipeline({
      dialect,
      env: { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey },
    });
    p.github.addApp(APP_ID, publicKey);
    const [svc, lib] = await seedRepos(p.github, 'inst', ['svc', 'lib'], { private: true });
    const installation = p.github.addInstallation(APP_ID, 'inst', ['inst/svc', 'inst/lib']);

    const example = webhookExample('installation', 'created');
    const created = {
      ...example,
      installation: {
        ...example.installation,
        id: installation.id,
        account: { ...example.installation.account, login: 'inst' },
      },
      repositories: [svc!, lib!].map((r) => ({
        id: r.id,
        node_id: example.repositories?.[0]?.node_id ?? '',
        name: r.name,
        full_name: r.fullName,
        private: true,
      })),
    };
    expect(await (await p.send('installation', created)).json()).toMatchObject({
      outcome: 'queued',
    });
    expect((await p.sources.status()).app).toEqual({ enabled: true, installations: 1 });
    await p.waitSynced(2);
    for (const r of [svc, lib]) {
      expect(await p.row(r!.id)).toMatchObject({
        source: 'installation',
        installation_id: installation.id,
        status: 'synced',
      });
    }
    // Fetched with the installation's token (the repositories are private).
    const fetches = p.github.requests.filter(
      (r) => r.kind === 'git' && r.path.startsWith('/inst/'),
    );
    expect(fetches.every((r) => r.login === `app-${APP_ID}[bot]`)).toBe(true);

    // lib is also starred: after the uninstall the star still holds it.
    p.github.star('octocat', lib!.fullName);
    await p.sources.poller.full();
    const deleted = { ...created, action: 'deleted' as const };
    expect(await (await p.send('installation', deleted)).json()).toMatchObject({
      outcome: 'uninstalled',
    });
    const svcRow = await p.row(svc!.id);
    expect(svcRow).toMatchObject({ status: 'paused', installation_id: null });
    expect(String(svcRow?.paused_reason)).toMatch(/removed from the GitHub App installation/);
    const libRow = await p.row(lib!.id);
    expect(libRow).toMatchObject({ starred: 1, installation_id: null, paused_reason: null });
    expect(libRow?.status).not.toBe('paused');
    expect(p.onedev.projectByPath('github/inst/svc')).toBeDefined();
    expect((await p.sources.status()).app).toEqual({ enabled: true, installations: 0 });
  });
});
