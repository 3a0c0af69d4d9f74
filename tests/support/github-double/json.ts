import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type GitHubState, isoSeconds, type RepoRecord, type UserRecord } from './state.js';

/**
 * GitHub-shaped JSON for users and repositories. Field names and formats follow the real API
 * (see `@octokit/webhooks-examples` / the OpenAPI `full-repository` example); URLs point at the
 * double itself, because it serves both the API and git at its root.
 */

/** GitHub's (legacy) global node id: base64 of `<type code>:<Type><database id>`. */
export const nodeId = (kind: string, id: number) => Buffer.from(`${kind}${id}`).toString('base64');

/** The repository a node id names, if it names one: the inverse of `nodeId('010:Repository', id)`. */
export function repoIdOfNode(id: string): number | undefined {
  const m = /^010:Repository(\d+)$/.exec(Buffer.from(id, 'base64').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

export function userJson(u: UserRecord, base: string): Record<string, unknown> {
  const api = `${base}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Organization' ? '012:Organization' : '04:User', u.id),
    avatar_url: `${base}/avatars/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${base}/${u.login}`,
    repos_url: `${api}/repos`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    type: u.type,
    site_admin: false,
  };
}

export interface RepoJsonOptions {
  base: string;
  /** The `GET /repos/{owner}/{repo}` object carries more than list items (parent, counts…). */
  full?: boolean;
  /** Present in list items and repo objects when the caller is authenticated. */
  permissions?: boolean;
}

export function repoJson(
  state: GitHubState,
  r: RepoRecord,
  opts: RepoJsonOptions,
): Record<string, unknown> {
  const { base } = opts;
  const api = `${base}/repos/${r.fullName}`;
  const host = new URL(base).host;
  const json: Record<string, unknown> = {
    id: r.id,
    node_id: nodeId('010:Repository', r.id),
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    owner: userJson(state.user(r.owner), base),
    html_url: `${base}/${r.fullName}`,
    description: r.description,
    fork: r.fork,
    url: api,
    forks_url: `${api}/forks`,
    commits_url: `${api}/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    pushed_at: pushedAtOf(r),
    git_url: `git://${host}/${r.fullName}.git`,
    ssh_url: `git@${host}:${r.fullName}.git`,
    clone_url: `${base}/${r.fullName}.git`,
    svn_url: `${base}/${r.fullName}`,
    homepage: null,
    size: r.size ?? sizeOnDiskKb(r),
    stargazers_count: countStargazers(state, r),
    watchers_count: countStargazers(state, r),
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: r.hasWiki,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: r.archived,
    disabled: r.disabled,
    open_issues_count: 0,
    license: null,
    topics: [],
    visibility: r.private ? 'private' : 'public',
    forks: 0,
    open_issues: 0,
    watchers: countStargazers(state, r),
    default_branch: r.defaultBranch,
  };
  if (opts.permissions) {
    json.permissions = { admin: false, maintain: false, push: false, triage: false, pull: true };
  }
  if (opts.full) {
    json.network_count = 0;
    json.subscribers_count = 0;
    const parent = r.parent ? state.find(...splitFull(r.parent)) : undefined;
    if (parent) {
      const p = repoJson(state, parent, { base });
      json.parent = p;
      json.source = p;
    }
  }
  return json;
}

function splitFull(full: string): [string, string] {
  const [owner = '', name = ''] = full.split('/');
  return [owner, name];
}

function countStargazers(state: GitHubState, r: RepoRecord): number {
  let n = 0;
  for (const list of state.stars.values()) if (list.some((s) => s.repoId === r.id)) n++;
  return n;
}

/**
 * Without an explicit `pushedAt`, the newest ref change on disk stands in for the last push,
 * so commits a test pushes straight into `repoPath()` show up in `pushed_at` (and the ETag).
 */
export function pushedAtOf(r: RepoRecord): string {
  return r.pushedAt ?? pushedAtOnDisk(r);
}

function pushedAtOnDisk(r: RepoRecord): string {
  let newest = Date.parse(r.createdAt);
  const visit = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    // Directory mtimes count too: deleting a branch is a push that leaves no file behind.
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
  };
  visit(join(r.path, 'refs'));
  visit(join(r.path, 'packed-refs'));
  return isoSeconds(newest);
}

/** GitHub reports size in KB (0 for an empty repo); the object store is a fair stand-in. */
function sizeOnDiskKb(r: RepoRecord): number {
  let bytes = 0;
  const visit = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) visit(join(p, e.name));
      else if (e.isFile()) bytes += statSync(join(p, e.name)).size;
    }
  };
  try {
    visit(join(r.path, 'objects'));
  } catch {
    return 0;
  }
  return Math.ceil(bytes / 1024);
}
