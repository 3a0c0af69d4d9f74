import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepoBuilder, readRefs } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { seedRepos } from '../support/github-double/seed.js';

// The double's GraphQL face: GitHub's published schema, the fields a mirror service reads,
// GitHub's pricing and its answers for missing objects and an exhausted pool.

let gh: GitHubDouble;
const TOKEN = 'tok-alice';

beforeEach(async () => {
  gh = await startGitHubDouble({ tokens: { [TOKEN]: 'alice' } });
});
afterEach(async () => {
  await gh.close();
});

async function query(body: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `bearer ${token}`;
  const res = await fetch(`${gh.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: each answer is checked field by field below.
  return { res, json: (await res.json()) as Record<string, any> };
}

describe('GitHub double: GraphQL', () => {
  it('answers only to a token', async () => {
    const { res, json } = await query({ query: '{ viewer { login } }' }, null);
    expect(res.status).toBe(401);
    expect(json.message).toMatch(/requires you to be authenticated/);
  });

  it('validates against GitHub’s published schema', async () => {
    const { res, json } = await query({ query: '{ viewer { noSuchField } }' });
    expect(res.status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(json.errors[0].message).toMatch(/noSuchField/);
  });

  it('reads pushedAt, the default branch and refs as git holds them, by node id and by name', async () => {
    const [repo] = await seedRepos(gh, 'octo', ['one']);
    const builder = new RepoBuilder(repo!.path);
    await builder.branch('feature', 'main');
    const annotated = await builder.tag('v1', 'main', { annotated: true });
    const onDisk = await readRefs(repo!.path);
    const rest = await fetch(`${gh.url}/repos/octo/one`, {
      headers: { authorization: `bearer ${TOKEN}` },
    });
    const { node_id, pushed_at } = (await rest.json()) as { node_id: string; pushed_at: string };

    const { json, res } = await query({
      query: `query($ids: [ID!]!) {
        nodes(ids: $ids) { ... on Repository { databaseId nameWithOwner pushedAt
          defaultBranchRef { name target { oid } }
          heads: refs(refPrefix: "refs/heads/", first: 100) { nodes { name target { oid } } }
          tags: refs(refPrefix: "refs/tags/", first: 100) { nodes { name target { __typename oid ... on Tag { target { oid } } } } } } }
        byName: repository(owner: "octo", name: "one") { databaseId }
        rateLimit { cost remaining } }`,
      variables: { ids: [node_id] },
    });
    expect(res.headers.get('x-ratelimit-resource')).toBe('graphql');
    const [node] = json.data.nodes;
    expect(node.databaseId).toBe(repo!.id);
    expect(node.pushedAt).toBe(pushed_at);
    expect(node.defaultBranchRef).toEqual({
      name: 'main',
      target: { oid: onDisk['refs/heads/main'] },
    });
    const heads = Object.fromEntries(
      node.heads.nodes.map((n: { name: string; target: { oid: string } }) => [
        `refs/heads/${n.name}`,
        n.target.oid,
      ]),
    );
    expect(heads).toEqual({
      'refs/heads/main': onDisk['refs/heads/main'],
      'refs/heads/feature': onDisk['refs/heads/feature'],
    });
    expect(node.tags.nodes).toEqual([
      {
        name: 'v1',
        target: { __typename: 'Tag', oid: annotated, target: { oid: onDisk['refs/heads/main'] } },
      },
    ]);
    expect(json.data.byName.databaseId).toBe(repo!.id);
    expect(json.data.rateLimit.cost).toBe(1);
    expect(json.data.rateLimit.remaining).toBe(4999);
  });

  it('answers a missing repository with null and a NOT_FOUND error beside the rest', async () => {
    await seedRepos(gh, 'octo', ['here']);
    const { json } = await query({
      query: `{ a: repository(owner: "octo", name: "here") { name }
                b: repository(owner: "octo", name: "gone") { name } }`,
    });
    expect(json.data).toEqual({ a: { name: 'here' }, b: null });
    expect(json.errors).toEqual([expect.objectContaining({ type: 'NOT_FOUND', path: ['b'] })]);
  });

  it('prices connections as GitHub does: requests under their parents ÷ 100', async () => {
    const repos = await seedRepos(
      gh,
      'octo',
      Array.from({ length: 3 }, (_, i) => `r${i}`),
    );
    const ids = repos.map((r) => Buffer.from(`010:Repository${r.id}`).toString('base64'));
    const small = await query({ query: '{ nodes(ids: []) { id } rateLimit { cost } }' });
    expect(small.json.data.rateLimit.cost).toBe(1);
    // Three aliased batches of 100 ids, each asking a refs connection under every id: 300
    // requests, 3 points.
    const hundred = Array.from({ length: 100 }, (_, i) => ids[i % 3]);
    const batch = (alias: string) => `${alias}: nodes(ids: $ids) { ... on Repository {
        refs(refPrefix: "refs/heads/", first: 100) { totalCount } } }`;
    const big = await query({
      query: `query($ids: [ID!]!) { ${batch('a')} ${batch('b')} ${batch('c')} rateLimit { cost } }`,
      variables: { ids: hundred },
    });
    expect(big.json.data.a).toHaveLength(100);
    expect(big.json.data.rateLimit.cost).toBe(3);
    expect(gh.graphqlRateLimit('alice').used).toBe(4);
    expect(gh.requests.filter((r) => r.kind === 'graphql').map((r) => r.cost)).toEqual([1, 3]);
  });

  it('refuses more than 100 ids in one nodes field', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id${i}`);
    const { json } = await query({
      query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      variables: { ids },
    });
    expect(json.errors[0].message).toMatch(/more than 100 node ids/);
  });

  it('refuses with a RATE_LIMIT error, status 200, once the points are spent', async () => {
    gh.setGraphqlRateLimit('alice', { remaining: 0 });
    const { res, json } = await query({ query: '{ viewer { login } }' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(json.errors[0]).toMatchObject({ type: 'RATE_LIMIT' });
    expect(json.errors[0].message).toMatch(/rate limit already exceeded/);
  });
});
