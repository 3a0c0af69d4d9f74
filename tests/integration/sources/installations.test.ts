import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { seedRepos } from '../../support/github-double/seed.js';
import { DIALECTS } from '../../support/test-db.js';
import { type SourcesPipeline, startSourcesPipeline } from './sources-kit.js';

const APP_ID = '5151';
const REPOS = '/installation/repositories';
const isRepos = (url: string) => url.startsWith(REPOS);

/** Another origin that records whatever reaches it (a token sent there would leak). */
async function startForeignHost(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url?.startsWith(REPOS) ? '{"total_count":0,"repositories":[]}' : '[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe.each(DIALECTS)('App installation listings on %s', (dialect) => {
  let p: SourcesPipeline | undefined;
  let foreign: Server | undefined;
  afterEach(async () => {
    foreign?.close();
    foreign = undefined;
    await p?.close();
    p = undefined;
  });

  it('a failed, partial or off-origin listing releases nothing; a repository really removed is released', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    p = await startSourcesPipeline({
      dialect,
      env: { GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey },
    });
    await p.worker.stop(1_000);
    p.github.addApp(APP_ID, publicKey);
    const repos = await seedRepos(p.github, 'corp', ['a', 'b', 'c'], { private: true });
    const installation = p.github.addInstallation(
      APP_ID,
      'corp',
      repos.map((r) => r.fullName),
    );
    const sync = () => p!.sources.installations!.syncAll();
    expect(await sync()).toBe('1 installation(s), 3 new mirror(s)');
    const held = async () => {
      const out: number[] = [];
      for (const r of repos) {
        const row = await p!.row(r.id);
        if (row?.installation_id === installation.id && row.status !== 'paused') out.push(r.id);
      }
      return out;
    };
    const all = repos.map((r) => r.id);
    expect(await held()).toEqual(all);

    // The listing fails.
    p.github.faults.serverError(1, { match: isRepos });
    expect(await sync()).toMatch(/^failed/);
    // It holds fewer repositories than its own total_count says.
    p.github.faults.alterAnswer(
      1,
      (a) => {
        const body = a.body as { repositories: unknown[] };
        return { ...a, body: { ...body, repositories: body.repositories.slice(1) } };
      },
      { match: isRepos },
    );
    expect(await sync()).toBe('1 installation(s), 0 new mirror(s)');
    expect(await held()).toEqual(all);

    // A `Link: next` to another origin is not followed (the installation token would go
    // with it); the listing fails instead.
    const host = await startForeignHost();
    foreign = host.server;
    p.github.faults.alterAnswer(
      1,
      (a) => ({
        ...a,
        headers: { ...a.headers, link: `<${host.url}${REPOS}?per_page=100&page=2>; rel="next"` },
      }),
      { match: isRepos },
    );
    expect(await sync()).toMatch(/^failed: GitHub paginated to another host/);
    expect(host.hits).toEqual([]);
    // The same rule for the stars listing.
    p.github.faults.alterAnswer(
      1,
      (a) => ({
        ...a,
        headers: { ...a.headers, link: `<${host.url}/user/starred?page=2>; rel="next"` },
      }),
      { match: (url) => url.startsWith('/user/starred') },
    );
    expect(await p.sources.poller.full()).toMatch(/^failed/);
    expect(host.hits).toEqual([]);
    expect(await held()).toEqual(all);

    // Removed from the installation while no webhook arrived: the periodic listing finds it.
    installation.repoIds = installation.repoIds.filter((id) => id !== repos[0]!.id);
    expect(await sync()).toBe('1 installation(s), 0 new mirror(s)');
    expect(await held()).toEqual(all.slice(1));
    const row = await p.row(repos[0]!.id);
    expect(row).toMatchObject({ status: 'paused', installation_id: null });
    expect(String(row?.paused_reason)).toMatch(/removed from the GitHub App installation/);
  });
});
