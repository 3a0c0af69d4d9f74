import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppApi } from '../../../src/github/app.api.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createOctokit } from '../../../src/github/github-api.js';
import { fetchStarsPage } from '../../../src/github/stars.api.js';
import { GITHUB_API_VERSION, transportFailureOf } from '../../../src/github/transport.js';
import { createLogger } from '../../../src/shared/logger.js';
import { type GitHubDouble, startGitHubDouble } from '../../support/github-double/index.js';

const TOKEN = 'ghp_transport_token_0123456789abcdef';
const APP_ID = '5151';
const log = createLogger({ level: 'silent' });

describe('one GitHub transport for every REST call', () => {
  let github: GitHubDouble;
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });

  beforeAll(async () => {
    github = await startGitHubDouble({ tokens: { [TOKEN]: 'operator' } });
    github.addRepo({ owner: 'octocat', name: 'Hello-World', id: 1296269 });
    github.addRepo({ owner: 'acme', name: 'api', id: 31, private: true });
    github.star('operator', 'octocat/Hello-World');
    github.addApp(APP_ID, keys.publicKey);
    github.addInstallation(APP_ID, 'acme', ['acme/api']);
  });
  afterAll(async () => github.close());
  beforeEach(() => {
    github.faults.reset();
    github.clearRequests();
  });

  it('sends X-GitHub-Api-Version on the lookup, the token check, the stars listing and the App calls', async () => {
    const client = createGitHubClient({ apiUrl: github.url, token: TOKEN });
    await client.getRepository('octocat', 'Hello-World');
    expect(await client.checkToken()).toMatchObject({ kind: 'accepted', login: 'operator' });
    const octokit = createOctokit({ apiUrl: github.url, auth: TOKEN, log });
    const page = await fetchStarsPage(
      octokit,
      { user: 'operator', own: true },
      { apiUrl: github.url },
    );
    expect(page).toMatchObject({ notModified: false, items: [{ name: 'Hello-World' }] });
    const app = createAppApi({
      apiUrl: github.url,
      appId: APP_ID,
      privateKey: keys.privateKey,
      log,
    });
    const [installation] = (await app.listInstallations()).items;
    expect((await app.listRepositories(Number(installation?.id))).items).toMatchObject([
      { owner: 'acme', name: 'api' },
    ]);

    const paths = new Set(github.requests.map((r) => r.path));
    for (const path of ['/repos/octocat/Hello-World', '/user', '/user/starred']) {
      expect(paths).toContain(path);
    }
    expect(paths).toContain('/app/installations');
    expect(paths).toContain('/installation/repositories');
    expect([...paths].some((p) => p.endsWith('/access_tokens'))).toBe(true);
    expect(github.requests.every((r) => r.kind === 'rest')).toBe(true);
    expect(github.requests.map((r) => r.apiVersion)).toEqual(
      github.requests.map(() => GITHUB_API_VERSION),
    );
  });

  it('reports a token the double refuses as rejected, and an unreachable API as unreachable', async () => {
    const rejected = await createGitHubClient({
      apiUrl: github.url,
      token: `${TOKEN}-revoked`,
    }).checkToken();
    expect(rejected).toEqual({ kind: 'rejected', status: 401 });
    github.faults.networkError(2);
    const unreachable = await createGitHubClient({ apiUrl: github.url, token: TOKEN }).checkToken();
    expect(unreachable.kind).toBe('unreachable');
    expect(JSON.stringify(unreachable)).not.toContain(TOKEN);
  });

  it('reads the token expiry GitHub states', async () => {
    github.setTokenExpiration(TOKEN, new Date('2031-01-02T03:04:05Z'));
    const check = await createGitHubClient({ apiUrl: github.url, token: TOKEN }).checkToken();
    expect(check).toMatchObject({ kind: 'accepted' });
    expect(check.kind === 'accepted' && check.expiresAt?.toISOString()).toBe(
      '2031-01-02T03:04:05.000Z',
    );
  });

  it('never follows a listing redirect to another host with the token', async () => {
    const seen: string[] = [];
    const fetchImpl = (async (input: Parameters<typeof fetch>[0]) => {
      seen.push(String(input));
      return new Response(null, {
        status: 301,
        headers: { location: 'https://elsewhere.example/user/starred' },
      });
    }) as typeof fetch;
    const octokit = createOctokit({
      apiUrl: 'https://api.github.com',
      auth: TOKEN,
      fetch: fetchImpl,
      log,
    });
    const error = await fetchStarsPage(
      octokit,
      { user: 'operator', own: true },
      { apiUrl: 'https://api.github.com' },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(transportFailureOf(error)?.kind).toBe('redirect');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^https:\/\/api\.github\.com\/user\/starred\?/);
  });

  it('does not let the HTTP stack follow a redirect to another origin either', async () => {
    const hits: IncomingHttpHeaders[] = [];
    const elsewhere = await listen((req, res) => {
      hits.push(req.headers);
      res.end('[]');
    });
    const api = await listen((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/user/starred` }).end();
    });
    try {
      const octokit = createOctokit({ apiUrl: api.url, auth: TOKEN, log });
      const error = await fetchStarsPage(
        octokit,
        { user: 'operator', own: true },
        { apiUrl: api.url },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(transportFailureOf(error)?.kind).toBe('redirect');
      expect(hits).toEqual([]);
    } finally {
      await Promise.all([close(api.server), close(elsewhere.server)]);
    }
  });

  it('gives up on a listing after the timeout instead of waiting forever', async () => {
    github.faults.latency(1_000);
    const octokit = createOctokit({ apiUrl: github.url, auth: TOKEN, log, timeoutMs: 100 });
    const error = await fetchStarsPage(
      octokit,
      { user: 'operator', own: true },
      { apiUrl: github.url },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(transportFailureOf(error)?.kind).toBe('timeout');
  });
});

async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
