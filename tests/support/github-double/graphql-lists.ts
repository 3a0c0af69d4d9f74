import type { ObjectContext } from './graphql-objects.js';
import { GitHubGraphqlError, repoObject, userObject } from './graphql-objects.js';
import { type GitHubState, isoSeconds } from './state.js';

/**
 * GitHub's Star Lists in the double: a user's lists of starred repositories, read only
 * through GraphQL (`User.lists`, `node(id:)` of a `UserList`). Adding a repository to a list
 * stars it and moves the list's `lastAddedAt`; removing one moves neither `lastAddedAt` nor
 * `updatedAt` (whether GitHub moves `updatedAt` then is not known, so the double takes the
 * case a client must survive). Unstarring takes a repository out of every list.
 */

export interface ListRecord {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  isPrivate: boolean;
  createdAt: string;
  updatedAt: string;
  lastAddedAt: string;
  /** Repository ids, the last added first. */
  items: number[];
}

const key = (s: string) => s.toLowerCase();
let nextListId = 9_001;

/** GitHub's slug: lower case, runs of anything but letters and digits as one `-`. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function listsOf(state: GitHubState, login: string): ListRecord[] {
  let lists = state.lists.get(key(login));
  if (!lists) {
    lists = [];
    state.lists.set(key(login), lists);
  }
  return lists;
}

function findList(state: GitHubState, login: string, slug: string): ListRecord {
  const list = listsOf(state, login).find((l) => l.slug === slugOf(slug));
  if (!list) throw new Error(`${login} has no list ${slug}`);
  return list;
}

/** A timestamp after `previous`: the double's changes can come within one second. */
function after(previous: string): string {
  const now = isoSeconds();
  return now > previous ? now : isoSeconds(Date.parse(previous) + 1000);
}

export function addList(
  state: GitHubState,
  login: string,
  name: string,
  options: { private?: boolean; description?: string } = {},
): ListRecord {
  state.user(login);
  const slug = slugOf(name);
  if (listsOf(state, login).some((l) => l.slug === slug)) throw new Error(`list ${slug} exists`);
  const at = isoSeconds();
  const list: ListRecord = {
    id: nextListId++,
    slug,
    name,
    description: options.description ?? null,
    isPrivate: options.private ?? false,
    createdAt: at,
    updatedAt: at,
    lastAddedAt: at,
    items: [],
  };
  listsOf(state, login).push(list);
  return list;
}

/** Adds a repository to a list (starring it, as GitHub does); `lastAddedAt` moves. */
export function addToList(state: GitHubState, login: string, slug: string, fullName: string) {
  const list = findList(state, login, slug);
  const repo = state.get(fullName);
  state.star(login, fullName);
  if (list.items.includes(repo.id)) return list;
  list.items.unshift(repo.id);
  list.lastAddedAt = after(list.lastAddedAt);
  return list;
}

/** Takes a repository out of a list; the star stays, and no timestamp of the list moves. */
export function removeFromList(state: GitHubState, login: string, slug: string, fullName: string) {
  const list = findList(state, login, slug);
  const id = state.get(fullName).id;
  list.items = list.items.filter((i) => i !== id);
  return list;
}

/** Renames a list: name, slug and `updatedAt` change. */
export function renameList(state: GitHubState, login: string, slug: string, name: string) {
  const list = findList(state, login, slug);
  Object.assign(list, { name, slug: slugOf(name), updatedAt: after(list.updatedAt) });
  return list;
}

/** Unstarring takes the repository out of every list of the user's. */
export function dropFromLists(state: GitHubState, login: string, fullName: string): void {
  const repo = state.find(...(fullName.split('/') as [string, string]));
  if (!repo) return;
  for (const list of listsOf(state, login)) list.items = list.items.filter((i) => i !== repo.id);
}

const listNodeId = (id: number) => `UL_${Buffer.from(`UserList:${id}`).toString('base64url')}`;

interface PageArgs {
  first?: number;
  last?: number;
  after?: string;
}

/** A connection over `all` with opaque cursors (the index), 100 at most a page. */
function connection<T>(all: T[], args: PageArgs, toNode: (t: T) => unknown) {
  const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
  const start = args.after ? Number(Buffer.from(args.after, 'base64').toString().slice(7)) + 1 : 0;
  const size = Math.min(100, args.first ?? args.last ?? 100);
  const page = all.slice(start, start + size);
  const nodes = page.map(toNode);
  return {
    totalCount: all.length,
    nodes,
    edges: nodes.map((node, i) => ({ cursor: cursor(start + i), node })),
    pageInfo: {
      hasNextPage: start + size < all.length,
      hasPreviousPage: start > 0,
      startCursor: page.length > 0 ? cursor(start) : null,
      endCursor: page.length > 0 ? cursor(start + page.length - 1) : null,
    },
  };
}

function listObject(ctx: ObjectContext, owner: string, list: ListRecord) {
  return {
    __typename: 'UserList',
    id: listNodeId(list.id),
    slug: list.slug,
    name: list.name,
    description: list.description,
    isPrivate: list.isPrivate,
    createdAt: list.createdAt,
    updatedAt: list.updatedAt,
    lastAddedAt: list.lastAddedAt,
    user: () => userObject(ctx, owner),
    items: (args: PageArgs) => {
      const repos = list.items.flatMap((id) => ctx.state.repos.get(id) ?? []);
      return connection(repos, args, (repo) => repoObject(ctx, repo));
    },
  };
}

/** Private lists are shown only to their owner. */
const visible = (ctx: ObjectContext, owner: string, list: ListRecord) =>
  !list.isPrivate || key(ctx.login) === key(owner);

/** `User.lists(first:, after:)`. */
export function userLists(ctx: ObjectContext, login: string) {
  return (args: PageArgs) => {
    const lists = (ctx.state.lists.get(key(login)) ?? []).filter((l) => visible(ctx, login, l));
    return connection(lists, args, (list) => listObject(ctx, login, list));
  };
}

/** `node(id:)` for a `UserList` id; undefined when the id names no list. */
export function listNode(ctx: ObjectContext, id: string) {
  for (const [owner, lists] of ctx.state.lists) {
    const list = lists.find((l) => listNodeId(l.id) === id);
    if (!list) continue;
    if (visible(ctx, owner, list)) return listObject(ctx, ctx.state.user(owner).login, list);
    return new GitHubGraphqlError(
      'NOT_FOUND',
      `Could not resolve to a node with the global id of '${id}'`,
    );
  }
  return undefined;
}
