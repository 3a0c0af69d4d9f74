import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LfsStore } from '../lfs-store.js';
import { AppRegistry, type InstallationRecord } from './apps.js';
import {
  addList,
  addToList,
  dropFromLists,
  type ListRecord,
  removeFromList,
  renameList,
} from './graphql-lists.js';
import { lfsStoreOf } from './lfs.js';
import { Faults, type RateBucket, RateLimiter, type RateLimitOptions } from './limits.js';
import { createHandler, type RecordedRequest } from './server.js';
import {
  type AddRepoOptions,
  GitHubState,
  type RepoPatch,
  type RepoRecord,
  type Star,
} from './state.js';

/**
 * A GitHub double on 127.0.0.1 (random port) that a child process can reach: the REST API at
 * the root (`GITHUB_API_URL = url`) and git smart HTTP at `/<owner>/<name>.git` (`GITHUB_GIT_URL
 * = url`), over real bare repositories that tests push commits into.
 */

export type { InstallationRecord } from './apps.js';
export type { ListRecord } from './graphql-lists.js';
export type { Fault, RateBucket, RateLimitOptions, Scope } from './limits.js';
export type { RecordedRequest } from './server.js';
export type { AddRepoOptions, RepoPatch, RepoRecord, Star } from './state.js';
export { AppRegistry, Faults, GitHubState };

export interface GitHubDoubleOptions {
  /** Where bare repos live (`<reposDir>/<owner>/<name>.git`); a temp dir, removed on close, if unset. */
  reposDir?: string;
  /** token → login. Any other token gets 401 "Bad credentials". */
  tokens?: Record<string, string>;
  rateLimit?: RateLimitOptions;
}

export interface GitHubDouble {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  reposDir: string;
  state: GitHubState;
  /** Fault switches: primaryRateLimit, secondaryRateLimit, serverError, networkError, alterAnswer, latency. */
  faults: Faults;
  /** Every request in arrival order; `status` is filled in once the answer is sent. */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** Bytes sent in answers to git requests since the start or the last `clearRequests`. */
  gitBytesServed(): number;
  addToken(token: string, login: string): void;
  /** The token is revoked: from now on it gets 401 "Bad credentials" (git: a challenge). */
  revokeToken(token: string): void;
  addRepo(opts: AddRepoOptions): RepoRecord;
  star(login: string, fullName: string, starredAt?: Date | string): Star;
  /** Unstarring also takes the repository out of the user's Star Lists. */
  unstar(login: string, fullName: string): boolean;
  /** A Star List (GraphQL only); its slug is the name in lower case with `-` for the rest. */
  addList(login: string, name: string, options?: { private?: boolean }): ListRecord;
  /** Adds (and stars) a repository; the list's `lastAddedAt` moves. */
  addToList(login: string, slug: string, fullName: string): ListRecord;
  /** Takes a repository out of a list; the star stays and no timestamp of the list moves. */
  removeFromList(login: string, slug: string, fullName: string): ListRecord;
  /** Renames a list (name, slug and `updatedAt` change). */
  renameList(login: string, slug: string, name: string): ListRecord;
  /** `'new-name'` renames; `'new-owner/new-name'` transfers. The old name then answers 301. */
  rename(fullName: string, to: string): RepoRecord;
  updateRepo(fullName: string, patch: RepoPatch): RepoRecord;
  deleteRepo(fullName: string): void;
  /** The bare repository directory (current location, case-insensitive lookup). */
  repoPath(owner: string, name: string): string;
  /** The repository's LFS objects (batch API at `<repo>.git/info/lfs/objects/batch`). */
  lfs(fullName: string): LfsStore;
  /** Saves a first wiki page: `<name>.wiki.git` appears with `Home.md` on `master`. */
  addWiki(fullName: string): RepoRecord;
  /** The wiki's bare repository (`<name>.wiki.git`), if the repository was seeded with one. */
  wikiPath(owner: string, name: string): string | undefined;
  /** A snapshot of a user's (or, without login, the anonymous) rate-limit pool. */
  rateLimit(login?: string): RateBucket;
  setRateLimit(login: string | undefined, patch: Partial<RateBucket>): RateBucket;
  /** A snapshot of a user's GraphQL pool (points, not requests). */
  graphqlRateLimit(login: string): RateBucket;
  setGraphqlRateLimit(login: string, patch: Partial<RateBucket>): RateBucket;
  /** GitHub Apps: public keys, installations, installation tokens (see apps.ts). */
  apps: AppRegistry;
  /** Registers an App by id with the PEM public key its JWTs must verify against. */
  addApp(appId: string, publicKeyPem: string): void;
  /** An installation of the App on `account` granting the repositories named. */
  addInstallation(appId: string, account: string, repos: string[]): InstallationRecord;
  /** REST answers to this token carry `github-authentication-token-expiration`. */
  setTokenExpiration(token: string, expiresAt: Date): void;
  close(): Promise<void>;
}

export async function startGitHubDouble(opts: GitHubDoubleOptions = {}): Promise<GitHubDouble> {
  const ownsDir = !opts.reposDir;
  const reposDir = opts.reposDir ?? mkdtempSync(join(tmpdir(), 'github-double-'));
  const state = new GitHubState(reposDir);
  const tokens = new Map(Object.entries(opts.tokens ?? {}));
  for (const login of tokens.values()) state.user(login);
  const rate = new RateLimiter({
    limit: opts.rateLimit?.limit ?? 5000,
    anonymousLimit: opts.rateLimit?.anonymousLimit ?? 60,
    windowSeconds: opts.rateLimit?.windowSeconds ?? 3600,
  });
  // GraphQL's pool: 5,000 points an hour per user, apart from REST's requests.
  const points = new RateLimiter({ limit: 5000, anonymousLimit: 0, windowSeconds: 3600 });
  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  let url = '';
  const apps = new AppRegistry();
  const expirations = new Map<string, string>();
  const handler = createHandler({
    state,
    rate,
    points,
    faults,
    tokens,
    requests,
    base: () => url,
    apps,
    expirations,
  });
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`github double failed: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    reposDir,
    state,
    faults,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    gitBytesServed: () => requests.reduce((sum, r) => sum + (r.bytesSent ?? 0), 0),
    addToken: (token, login) => {
      tokens.set(token, login);
      state.user(login);
    },
    revokeToken: (token) => {
      tokens.delete(token);
    },
    addRepo: (o) => state.addRepo(o),
    star: (login, fullName, at) => state.star(login, fullName, at),
    unstar: (login, fullName) => {
      dropFromLists(state, login, fullName);
      return state.unstar(login, fullName);
    },
    addList: (login, name, options) => addList(state, login, name, options),
    addToList: (login, slug, fullName) => addToList(state, login, slug, fullName),
    removeFromList: (login, slug, fullName) => removeFromList(state, login, slug, fullName),
    renameList: (login, slug, name) => renameList(state, login, slug, name),
    rename: (fullName, to) => state.rename(fullName, to),
    updateRepo: (fullName, patch) => state.update(fullName, patch),
    deleteRepo: (fullName) => state.deleteRepo(fullName),
    repoPath: (owner, name) => state.find(owner, name)?.path ?? state.repoPath(owner, name),
    lfs: (fullName) => {
      const [owner = '', name = ''] = fullName.split('/');
      return lfsStoreOf(state, owner, name);
    },
    wikiPath: (owner, name) => state.find(owner, name)?.wikiPath,
    addWiki: (fullName) => state.addWiki(fullName),
    rateLimit: (login) => ({ ...rate.bucket(login) }),
    setRateLimit: (login, patch) => ({ ...rate.set(login, patch) }),
    graphqlRateLimit: (login) => ({ ...points.bucket(login) }),
    setGraphqlRateLimit: (login, patch) => ({ ...points.set(login, patch) }),
    apps,
    addApp: (appId, pem) => apps.addApp(appId, pem),
    addInstallation: (appId, account, repos) =>
      apps.addInstallation(
        appId,
        account,
        repos.map((r) => state.get(r).id),
      ),
    setTokenExpiration: (token, at) => {
      // GitHub's format: `2024-05-01 12:00:00 UTC`.
      expirations.set(token, `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    },
    close: async () => {
      // Keep-alive sockets (fetch, git) would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsDir) rmSync(reposDir, { recursive: true, force: true });
    },
  };
}
