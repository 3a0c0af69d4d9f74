import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { seedRepos } from '../support/github-double/seed.js';

// The double's Star Lists: `User.lists` and a `UserList`'s items through `node(id:)`, checked
// against GitHub's published schema, with private lists shown only to their owner.

let gh: GitHubDouble;
const ALICE = 'tok-alice';
const BOB = 'tok-bob';

beforeEach(async () => {
  gh = await startGitHubDouble({ tokens: { [ALICE]: 'alice', [BOB]: 'bob' } });
});
afterEach(async () => {
  await gh.close();
});

async function query(q: string, variables: Record<string, unknown> = {}, token = ALICE) {
  const res = await fetch(`${gh.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `bearer ${token}` },
    body: JSON.stringify({ query: q, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: each answer is checked field by field below.
  return (await res.json()) as Record<string, any>;
}

const LISTS = `query($login: String!) { user(login: $login) { lists(first: 100) {
  totalCount nodes { id slug name isPrivate lastAddedAt updatedAt } } }
  rateLimit { cost } }`;
const ITEMS = `query($id: ID!, $after: String) { node(id: $id) { ... on UserList {
  items(first: 100, after: $after) { totalCount
    nodes { ... on Repository { databaseId nameWithOwner isPrivate isArchived defaultBranchRef { name } } }
    pageInfo { hasNextPage endCursor } } } } }`;

describe('GitHub double: Star Lists', () => {
  it('shows a user’s lists with slugs and stamps, for one point; adding moves lastAddedAt', async () => {
    await seedRepos(gh, 'octo', ['one', 'two']);
    gh.addList('alice', 'Dev Tools');
    const before = (await query(LISTS, { login: 'alice' })).data.user.lists.nodes[0];
    expect(before).toMatchObject({ slug: 'dev-tools', name: 'Dev Tools', isPrivate: false });
    gh.addToList('alice', 'dev-tools', 'octo/one');
    const answer = await query(LISTS, { login: 'alice' });
    const [list] = answer.data.user.lists.nodes;
    expect(answer.data.rateLimit.cost).toBe(1);
    expect(list.lastAddedAt > before.lastAddedAt).toBe(true);
    expect(gh.state.starsOf('alice').map((s) => s.repo.fullName)).toEqual(['octo/one']);

    // Removal moves neither stamp; the star stays.
    gh.removeFromList('alice', 'dev-tools', 'octo/one');
    const [after] = (await query(LISTS, { login: 'alice' })).data.user.lists.nodes;
    expect([after.lastAddedAt, after.updatedAt]).toEqual([list.lastAddedAt, list.updatedAt]);
    expect(gh.state.starsOf('alice')).toHaveLength(1);
  });

  it('walks a list’s items page by page through node(id:), the last added first', async () => {
    const repos = await seedRepos(
      gh,
      'octo',
      Array.from({ length: 102 }, (_, i) => `r${i}`),
    );
    gh.addList('alice', 'many');
    for (const r of repos) gh.addToList('alice', 'many', r.fullName);
    const viewer = await query('{ viewer { lists(first: 10) { nodes { id } } } }');
    const id = viewer.data.viewer.lists.nodes[0].id;
    const first = (await query(ITEMS, { id })).data.node.items;
    expect(first.totalCount).toBe(102);
    expect(first.nodes).toHaveLength(100);
    expect(first.nodes[0]).toEqual({
      databaseId: repos[101]!.id,
      nameWithOwner: 'octo/r101',
      isPrivate: false,
      isArchived: false,
      defaultBranchRef: { name: 'main' },
    });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await query(ITEMS, { id, after: first.pageInfo.endCursor })).data.node.items;
    expect(second.nodes.map((n: { nameWithOwner: string }) => n.nameWithOwner)).toEqual([
      'octo/r1',
      'octo/r0',
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('shows private lists only to their owner, by listing and by id', async () => {
    gh.addList('alice', 'open');
    gh.addList('alice', 'secret', { private: true });
    const own = await query(LISTS, { login: 'alice' });
    expect(own.data.user.lists.nodes.map((l: { slug: string }) => l.slug)).toEqual([
      'open',
      'secret',
    ]);
    const other = await query(LISTS, { login: 'alice' }, BOB);
    expect(other.data.user.lists.nodes.map((l: { slug: string }) => l.slug)).toEqual(['open']);
    const secretId = own.data.user.lists.nodes[1].id;
    const byId = await query(ITEMS, { id: secretId }, BOB);
    expect(byId.data.node).toBeNull();
    expect(byId.errors[0]).toMatchObject({ type: 'NOT_FOUND' });
  });

  it('unstarring takes the repository out of every list', async () => {
    await seedRepos(gh, 'octo', ['one']);
    gh.addList('alice', 'a');
    gh.addList('alice', 'b');
    gh.addToList('alice', 'a', 'octo/one');
    gh.addToList('alice', 'b', 'octo/one');
    gh.unstar('alice', 'octo/one');
    const answer = await query(
      '{ viewer { lists(first: 10) { nodes { items(first: 10) { totalCount } } } } }',
    );
    expect(answer.data.viewer.lists.nodes).toEqual([
      { items: { totalCount: 0 } },
      { items: { totalCount: 0 } },
    ]);
  });

  it('refuses list fields GitHub’s schema does not have', async () => {
    const answer = await query('{ viewer { lists(first: 1) { nodes { repositories } } } }');
    expect(answer.data).toBeUndefined();
    expect(answer.errors[0].message).toMatch(/repositories/);
  });
});
