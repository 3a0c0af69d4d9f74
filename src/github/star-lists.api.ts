import { z } from 'zod';
import { UpstreamError } from '../shared/upstream-error.js';
import type { GitHubOctokit } from './github-api.js';
import { repoNameProblem } from './repo-name.js';
import type { ListedRepo, StarsTarget } from './stars.api.js';

/**
 * GitHub's Star Lists, which only its GraphQL API shows: a user's lists with their change
 * stamps (one connection of 100: one point), and one list's repositories, 100 a page.
 * Private lists are shown only to their owner, so another user's lists are the public ones.
 */

/** A list as the cheap query shows it: enough to match a name and to see a change. */
export interface StarList {
  id: string;
  slug: string;
  name: string;
  isPrivate: boolean;
  /** When the list was created or last had a repository added. */
  lastAddedAt: string;
  updatedAt: string;
}

const listNode = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  isPrivate: z.boolean(),
  lastAddedAt: z.string(),
  updatedAt: z.string(),
});
const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const listsConnection = z.object({ nodes: z.array(listNode.nullable()), pageInfo });
const listsAnswer = z.object({
  owner: z.object({ lists: listsConnection }).nullable(),
});
// A list item is a union (today only Repository): anything else arrives as an empty object.
const repoNode = z.object({
  databaseId: z.number().int().positive().nullable(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
  isPrivate: z.boolean(),
  isArchived: z.boolean(),
  defaultBranchRef: z.object({ name: z.string() }).nullable(),
});
const itemsAnswer = z.object({
  node: z
    .object({
      items: z.object({
        nodes: z.array(z.union([repoNode, z.object({}).strict()]).nullable()),
        pageInfo,
      }),
    })
    .nullable(),
});

const LISTS_FIELD = `lists(first: 100, after: $after) {
  nodes { id slug name isPrivate lastAddedAt updatedAt }
  pageInfo { hasNextPage endCursor } }`;
const OWN_LISTS = `query($after: String) { owner: viewer { ${LISTS_FIELD} } }`;
const USER_LISTS = `query($login: String!, $after: String) { owner: user(login: $login) { ${LISTS_FIELD} } }`;
const LIST_ITEMS = `query($id: ID!, $after: String) { node(id: $id) { ... on UserList {
  items(first: 100, after: $after) {
    nodes { ... on Repository { databaseId name owner { login } isPrivate isArchived defaultBranchRef { name } } }
    pageInfo { hasNextPage endCursor } } } } }`;

function unreadable(what: string): UpstreamError {
  return new UpstreamError('github_bad_response', `GitHub sent ${what} we cannot read`, {
    retryable: true,
  });
}

/** The user's Star Lists (the token's own, private ones included, when `own`). */
export async function fetchStarLists(
  octokit: GitHubOctokit,
  target: StarsTarget,
): Promise<StarList[]> {
  const lists: StarList[] = [];
  let after: string | null = null;
  do {
    const data: unknown = await octokit.graphql(target.own ? OWN_LISTS : USER_LISTS, {
      after,
      ...(target.own ? {} : { login: target.user }),
    });
    const parsed = listsAnswer.safeParse(data);
    if (!parsed.success) throw unreadable('Star Lists');
    const connection = parsed.data.owner?.lists;
    if (!connection) break;
    for (const node of connection.nodes) if (node) lists.push(node);
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
  return lists;
}

/** Every repository in one list, in GitHub's order; names we would refuse are left out. */
export async function fetchListItems(
  octokit: GitHubOctokit,
  listId: string,
): Promise<ListedRepo[]> {
  const items: ListedRepo[] = [];
  let after: string | null = null;
  do {
    const data: unknown = await octokit.graphql(LIST_ITEMS, { id: listId, after });
    const parsed = itemsAnswer.safeParse(data);
    if (!parsed.success) throw unreadable('the items of a Star List');
    if (!parsed.data.node) throw unreadable('a Star List that is gone');
    const { nodes, pageInfo: page } = parsed.data.node.items;
    for (const node of nodes) {
      if (!node || !('databaseId' in node) || node.databaseId === null) continue;
      if (repoNameProblem(node.owner.login, node.name)) continue;
      items.push({
        githubId: node.databaseId,
        owner: node.owner.login,
        name: node.name,
        private: node.isPrivate,
        defaultBranch: node.defaultBranchRef?.name ?? null,
        archived: node.isArchived,
        // A list does not say when the repository was starred.
        starredAt: null,
      });
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return items;
}
