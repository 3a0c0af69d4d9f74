import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import { repoJson, userJson } from './json.js';
import { notFound, paginate, type RestContext, type RestResult } from './rest.js';
import type { GitHubState } from './state.js';

/**
 * GitHub App endpoints: the App authenticates with an RS256 JWT that the double verifies
 * against the App's public key (as GitHub does), exchanges it for installation tokens,
 * and lists an installation's repositories with such a token.
 */

export interface InstallationRecord {
  id: number;
  appId: string;
  account: string;
  repoIds: number[];
}

export class AppRegistry {
  readonly apps = new Map<string, { publicKey: KeyObject; slug: string }>();
  readonly installations = new Map<number, InstallationRecord>();
  /** Installation token → installation id. */
  readonly installationTokens = new Map<string, number>();
  /** Every JWT the double accepted or refused, for assertions. */
  readonly jwtChecks: Array<{ appId?: string; ok: boolean }> = [];
  private nextId = 7_001;

  addApp(appId: string, publicKeyPem: string, slug = `app-${appId}`): void {
    this.apps.set(appId, { publicKey: createPublicKey(publicKeyPem), slug });
  }

  addInstallation(appId: string, account: string, repoIds: number[]): InstallationRecord {
    const rec = { id: this.nextId++, appId, account, repoIds: [...repoIds] };
    this.installations.set(rec.id, rec);
    return rec;
  }

  /** The App id of a JWT whose RS256 signature, `iss` and `exp` check out. */
  verifyJwt(jwt: string, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature) return undefined;
    let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
    let alg: unknown;
    try {
      alg = JSON.parse(Buffer.from(header, 'base64url').toString()).alg;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    } catch {
      return undefined;
    }
    const appId = String(claims.iss);
    const app = this.apps.get(appId);
    const ok =
      alg === 'RS256' &&
      app !== undefined &&
      typeof claims.exp === 'number' &&
      claims.exp > nowSeconds &&
      verify(
        'RSA-SHA256',
        Buffer.from(`${header}.${payload}`),
        app.publicKey,
        Buffer.from(signature, 'base64url'),
      );
    this.jwtChecks.push({ appId, ok });
    return ok ? appId : undefined;
  }
}

const DOCS = 'https://docs.github.com/rest/apps';
const unauthorized = (message: string): RestResult => ({
  status: 401,
  body: { message, documentation_url: DOCS, status: '401' },
});

/** Answers the App routes, or undefined for any other request. */
export function answerApps(
  method: string,
  ctx: RestContext,
  token: string | undefined,
  registry: AppRegistry,
  addToken: (token: string, login: string) => void,
): RestResult | undefined {
  const path = ctx.url.pathname;
  const tokenMatch = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
  if (path === '/app/installations' || tokenMatch) {
    const appId = token ? registry.verifyJwt(token) : undefined;
    if (!appId) return unauthorized('A JSON web token could not be decoded');
    if (method === 'GET' && !tokenMatch) return listInstallations(ctx, registry, appId);
    if (method === 'POST' && tokenMatch)
      return mintToken(Number(tokenMatch[1]), registry, appId, addToken);
    return notFound();
  }
  if (path === '/installation/repositories' && method === 'GET') {
    const id = token ? registry.installationTokens.get(token) : undefined;
    const installation = id === undefined ? undefined : registry.installations.get(id);
    if (!installation) return unauthorized('Bad credentials');
    return installationRepos(ctx, installation);
  }
  return undefined;
}

function installationJson(ctx: RestContext, rec: InstallationRecord) {
  return {
    id: rec.id,
    app_id: Number(rec.appId),
    account: userJson(ctx.state.user(rec.account), ctx.base),
    repository_selection: 'selected',
    target_type: 'User',
    permissions: { contents: 'read', metadata: 'read' },
    events: ['push', 'repository'],
    suspended_at: null,
  };
}

function listInstallations(ctx: RestContext, registry: AppRegistry, appId: string): RestResult {
  const mine = [...registry.installations.values()].filter((i) => i.appId === appId);
  const { slice, link } = paginate(mine, ctx);
  return {
    status: 200,
    body: slice.map((i) => installationJson(ctx, i)),
    headers: link ? { link } : {},
  };
}

function mintToken(
  id: number,
  registry: AppRegistry,
  appId: string,
  addToken: (token: string, login: string) => void,
): RestResult {
  const installation = registry.installations.get(id);
  if (!installation || installation.appId !== appId) return notFound();
  const token = `ghs_${randomBytes(18).toString('hex')}`;
  registry.installationTokens.set(token, id);
  addToken(token, `${registry.apps.get(appId)?.slug ?? 'app'}[bot]`);
  const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    status: 201,
    free: true,
    body: {
      token,
      expires_at: expires,
      permissions: { contents: 'read', metadata: 'read' },
      repository_selection: 'selected',
    },
  };
}

function installationRepos(ctx: RestContext, installation: InstallationRecord): RestResult {
  const state: GitHubState = ctx.state;
  const repos = installation.repoIds.flatMap((id) => {
    const repo = state.repos.get(id);
    return repo ? [repoJson(state, repo, { base: ctx.base, permissions: true })] : [];
  });
  const { slice, link } = paginate(repos, ctx);
  return {
    status: 200,
    body: { total_count: repos.length, repository_selection: 'selected', repositories: slice },
    headers: link ? { link } : {},
  };
}
