import { execFileSync } from 'node:child_process';
import { listNode, userLists } from './graphql-lists.js';
import { nodeId, pushedAtOf, repoIdOfNode } from './json.js';
import type { GitHubState, RepoRecord } from './state.js';

/**
 * GitHub's GraphQL objects as plain values for graphql-js's default resolvers: a property is
 * a field, a function property is a field with arguments. Only the fields a mirror service
 * reads are here; the schema (GitHub's published one) rejects anything else before these run.
 */

/** A resolver error GitHub reports with a `type` (`NOT_FOUND`, …) beside the message. */
export class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ObjectContext {
  state: GitHubState;
  base: string;
  /** The authenticated caller (GraphQL answers only to a token). */
  login: string;
}

export function userObject(ctx: ObjectContext, login: string): Record<string, unknown> | null {
  const user = ctx.state.users.get(login.toLowerCase());
  if (!user) return null;
  const org = user.type === 'Organization';
  return {
    __typename: org ? 'Organization' : 'User',
    id: nodeId(org ? '012:Organization' : '04:User', user.id),
    databaseId: user.id,
    login: user.login,
    url: `${ctx.base}/${user.login}`,
    lists: userLists(ctx, user.login),
  };
}

/** A repository. GraphQL always has a token, so the double shows private ones too (as REST does). */
export function repoObject(ctx: ObjectContext, repo: RepoRecord): Record<string, unknown> {
  return {
    __typename: 'Repository',
    id: nodeId('010:Repository', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    owner: userObject(ctx, repo.owner),
    url: `${ctx.base}/${repo.fullName}`,
    isPrivate: repo.private,
    isArchived: repo.archived,
    isDisabled: repo.disabled,
    isFork: repo.fork,
    createdAt: repo.createdAt,
    updatedAt: repo.updatedAt,
    pushedAt: pushedAtOf(repo),
    defaultBranchRef: () => defaultBranchRef(repo),
    refs: (args: RefsArgs) => refsConnection(repo, args),
    ref: ({ qualifiedName }: { qualifiedName: string }) =>
      readRefs(repo).find((r) => r.name === qualifiedName || r.short === qualifiedName)?.object ??
      null,
  };
}

/** `repository(owner:, name:)`: null with a NOT_FOUND error, as GitHub answers a missing one. */
export function repositoryField(ctx: ObjectContext, owner: string, name: string) {
  const repo = ctx.state.find(owner, name);
  if (!repo) {
    const msg = `Could not resolve to a Repository with the name '${owner}/${name}'.`;
    return new GitHubGraphqlError('NOT_FOUND', msg);
  }
  return repoObject(ctx, repo);
}

/** `node(id:)` / `nodes(ids:)`: repositories and users by their global id. */
export function nodeField(ctx: ObjectContext, id: string) {
  const repoId = repoIdOfNode(id);
  const repo = repoId === undefined ? undefined : ctx.state.repos.get(repoId);
  if (repo) return repoObject(ctx, repo);
  for (const user of ctx.state.users.values()) {
    const org = user.type === 'Organization';
    if (nodeId(org ? '012:Organization' : '04:User', user.id) === id)
      return userObject(ctx, user.login);
  }
  const list = listNode(ctx, id);
  if (list) return list;
  const msg = `Could not resolve to a node with the global id of '${id}'`;
  return new GitHubGraphqlError('NOT_FOUND', msg);
}

interface RefsArgs {
  refPrefix: string;
  first?: number;
  last?: number;
  after?: string;
}

interface DiskRef {
  /** `refs/heads/main` */
  name: string;
  /** `main` */
  short: string;
  object: Record<string, unknown>;
}

/** A GraphQL `Ref`: `name` is without the prefix; `target` a Commit, or a Tag for annotated tags. */
function readRefs(repo: RepoRecord): DiskRef[] {
  const out = execFileSync(
    'git',
    ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)'],
    { cwd: repo.path, encoding: 'utf8' },
  );
  const refs: DiskRef[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [name = '', oid = '', type = '', peeled = ''] = line.split('\0');
    const prefix = name.startsWith('refs/tags/') ? 'refs/tags/' : 'refs/heads/';
    const short = name.slice(prefix.length);
    const target =
      type === 'tag'
        ? { __typename: 'Tag', oid, name: short, target: { __typename: 'Commit', oid: peeled } }
        : { __typename: 'Commit', oid };
    refs.push({
      name,
      short,
      object: { __typename: 'Ref', id: name, name: short, prefix, target },
    });
  }
  return refs;
}

function defaultBranchRef(repo: RepoRecord) {
  const name = `refs/heads/${repo.defaultBranch}`;
  // An empty repository has no default branch ref: GitHub answers null.
  return readRefs(repo).find((r) => r.name === name)?.object ?? null;
}

/** `refs(refPrefix:, first:, after:)` with opaque cursors over the ref names in order. */
function refsConnection(repo: RepoRecord, args: RefsArgs) {
  const all = readRefs(repo)
    .filter((r) => r.name.startsWith(args.refPrefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const cursor = (r: DiskRef) => Buffer.from(r.name).toString('base64');
  const start = args.after ? all.findIndex((r) => cursor(r) === args.after) + 1 : 0;
  const size = Math.min(100, args.first ?? args.last ?? 100);
  const page = all.slice(start, start + size);
  const last = page.at(-1);
  return {
    totalCount: all.length,
    nodes: page.map((r) => r.object),
    edges: page.map((r) => ({ cursor: cursor(r), node: r.object })),
    pageInfo: {
      hasNextPage: start + size < all.length,
      hasPreviousPage: start > 0,
      endCursor: last ? cursor(last) : null,
      startCursor: page[0] ? cursor(page[0]) : null,
    },
  };
}
