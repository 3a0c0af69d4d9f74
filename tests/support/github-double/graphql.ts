import { schema as publishedSchema } from '@octokit/graphql-schema';
import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  type SelectionSetNode,
  type ValueNode,
  validate,
} from 'graphql';
import {
  GitHubGraphqlError,
  nodeField,
  type ObjectContext,
  repositoryField,
  userObject,
} from './graphql-objects.js';
import { type RateBucket, RateLimiter } from './limits.js';
import type { RestResult } from './rest.js';
import type { GitHubState } from './state.js';

/**
 * `POST /graphql` against GitHub's published schema (`@octokit/graphql-schema`): a query
 * naming a field or argument GitHub does not have fails validation here as it would there.
 * Resolvers exist only for what a mirror service asks (`graphql-objects.ts`). Every query is
 * priced as GitHub prices it — connections requested ÷ 100, at least 1 point — from its own
 * pool of points per user (5,000 an hour), read back through `rateLimit { … }` and the
 * `x-ratelimit-*` headers with resource `graphql`.
 */

export interface GraphqlContext {
  state: GitHubState;
  points: RateLimiter;
  base: string;
  login?: string;
}

export interface GraphqlAnswer extends RestResult {
  /** Points the query cost (0 when it was refused before running). */
  cost: number;
}

let schemaCache: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (it is large: about a second). */
export function githubSchema(): GraphQLSchema {
  schemaCache ??= buildSchema(publishedSchema.idl, { assumeValidSDL: true });
  return schemaCache;
}

const DOCS_AUTH =
  'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql';

export function answerGraphql(ctx: GraphqlContext, rawBody: string): GraphqlAnswer {
  if (!ctx.login) {
    const message = 'This endpoint requires you to be authenticated.';
    return { status: 401, cost: 0, body: { message, documentation_url: DOCS_AUTH } };
  }
  const bucket = ctx.points.bucket(ctx.login);
  const headers = () => ({ ...RateLimiter.headers(bucket), 'x-ratelimit-resource': 'graphql' });
  const request = parseBody(rawBody);
  if (!request) {
    const body = { message: 'Problems parsing JSON', documentation_url: DOCS_AUTH };
    return { status: 400, cost: 0, body, headers: headers() };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { status: 200, cost: 0, body: { errors: [errorJson(error)] }, headers: headers() };
  }
  const invalid = validate(githubSchema(), document);
  if (invalid.length > 0) {
    return { status: 200, cost: 0, body: { errors: invalid.map(errorJson) }, headers: headers() };
  }
  if (bucket.remaining <= 0) {
    // GitHub answers an exhausted pool with 200 and an error, not with 403.
    const user = ctx.state.user(ctx.login);
    const message = `API rate limit already exceeded for user ID ${user.id}.`;
    const errors = [{ type: 'RATE_LIMIT', code: 'graphql_rate_limit', message }];
    return { status: 200, cost: 0, body: { errors }, headers: headers() };
  }
  const cost = queryCost(document, request.variables);
  bucket.remaining = Math.max(0, bucket.remaining - cost);
  bucket.used = bucket.limit - bucket.remaining;
  const objects = { state: ctx.state, base: ctx.base, login: ctx.login };
  const result = execute({
    schema: githubSchema(),
    document,
    rootValue: rootFields(objects, bucket, cost),
    variableValues: request.variables,
    ...(request.operationName ? { operationName: request.operationName } : {}),
  }) as ExecutionResult;
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors?.length) body.errors = result.errors.map(errorJson);
  return { status: 200, cost, body, headers: headers() };
}

function rootFields(ctx: ObjectContext, bucket: RateBucket, cost: number) {
  return {
    viewer: () => userObject(ctx, ctx.login),
    user: ({ login }: { login: string }) =>
      userObject(ctx, login) ??
      new GitHubGraphqlError(
        'NOT_FOUND',
        `Could not resolve to a User with the login of '${login}'.`,
      ),
    repository: ({ owner, name }: { owner: string; name: string }) =>
      repositoryField(ctx, owner, name),
    node: ({ id }: { id: string }) => nodeField(ctx, id),
    nodes: ({ ids }: { ids: string[] }) =>
      ids.length > 100
        ? new GitHubGraphqlError(
            'ARGUMENT_LIMIT',
            `You may not provide more than 100 node ids; you provided ${ids.length}.`,
          )
        : ids.map((id) => nodeField(ctx, id)),
    rateLimit: () => ({
      cost,
      limit: bucket.limit,
      remaining: bucket.remaining,
      used: bucket.used,
      resetAt: new Date(bucket.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      nodeCount: 0,
    }),
  };
}

function parseBody(
  raw: string,
): { query: string; variables?: Record<string, unknown>; operationName?: string } | undefined {
  try {
    const body = JSON.parse(raw) as Record<string, unknown>;
    if (typeof body.query !== 'string') return undefined;
    const variables =
      body.variables && typeof body.variables === 'object'
        ? (body.variables as Record<string, unknown>)
        : undefined;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    return {
      query: body.query,
      ...(variables ? { variables } : {}),
      ...(operationName ? { operationName } : {}),
    };
  } catch {
    return undefined;
  }
}

/** GitHub's error shape: the message, where it happened, and a `type` for resolver errors. */
function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof GraphQLError)) return { message: String(error) };
  const json: Record<string, unknown> = { message: error.message };
  if (error.path) json.path = error.path;
  if (error.locations) json.locations = error.locations;
  if (error.originalError instanceof GitHubGraphqlError) json.type = error.originalError.type;
  return json;
}

/**
 * GitHub's price of a query: every connection (a field with `first`/`last`) costs one request
 * for each parent object it is asked under, and `nodes(ids:)` multiplies what is under it by the
 * number of ids; the sum ÷ 100, rounded, is the cost — never less than 1.
 */
export function queryCost(document: DocumentNode, variables: Record<string, unknown> = {}): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const value = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.VARIABLE) return variables[node.name.value];
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.LIST) return node.values.map(value);
    return undefined;
  };
  let requests = 0;
  const walk = (set: SelectionSetNode | undefined, multiplier: number) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        walk(fragments.get(selection.name.value)?.selectionSet, multiplier);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, multiplier);
        continue;
      }
      const arg = (name: string) =>
        value(selection.arguments?.find((a) => a.name.value === name)?.value);
      const size = Number(arg('first') ?? arg('last') ?? Number.NaN);
      const ids = arg('ids');
      if (Number.isFinite(size)) {
        requests += multiplier;
        walk(selection.selectionSet, multiplier * size);
      } else if (Array.isArray(ids)) {
        walk(selection.selectionSet, multiplier * ids.length);
      } else {
        walk(selection.selectionSet, multiplier);
      }
    }
  };
  for (const def of document.definitions)
    if (def.kind === Kind.OPERATION_DEFINITION) walk(def.selectionSet, 1);
  return Math.max(1, Math.round(requests / 100));
}
