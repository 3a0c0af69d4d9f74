import type { GitHubOctokit } from './github-api.js';

/** What GitHub says a query cost and what is left of the hour's points. */
export interface GraphqlRateLimit {
  cost: number;
  remaining: number;
  resetAt: string;
}

/** One entry of a GraphQL answer's `errors`: `type` is GitHub's (`NOT_FOUND`, `RATE_LIMIT`…). */
export interface GraphqlError {
  type?: string;
  message: string;
  path?: Array<string | number>;
}

export interface GraphqlAnswer {
  data: Record<string, unknown> | null;
  /** Errors beside the data: GitHub answers 200 and reports a missing object here. */
  errors: GraphqlError[];
  rateLimit: GraphqlRateLimit | null;
}

/** GitHub refused the query because the hour's points are spent: wait until `resetAt`. */
export class GraphqlRateLimited extends Error {
  constructor(readonly resetAt: string) {
    super(`GitHub's GraphQL rate limit is exhausted until ${resetAt}`);
  }
}

// GitHub has written both spellings in answers to an exhausted pool.
const RATE_LIMIT_TYPES = new Set(['RATE_LIMIT', 'RATE_LIMITED']);

/**
 * `POST /graphql` through the same Octokit (transport, token, throttling) as REST calls.
 * The raw answer is kept: data and errors may come together (one repository missing does
 * not fail the others), and `rateLimit { … }` in the query says what it cost.
 */
export async function graphqlQuery(
  octokit: GitHubOctokit,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphqlAnswer> {
  let body: { data?: Record<string, unknown> | null; errors?: GraphqlError[] };
  let headers: Record<string, unknown>;
  try {
    const response = await octokit.request('POST /graphql', { query, variables });
    body = response.data as typeof body;
    headers = response.headers as Record<string, unknown>;
  } catch (error) {
    // The throttling plugin turns a RATE_LIMITED answer into an error carrying the answer.
    const answer = (error as { response?: { data?: unknown; headers?: Record<string, unknown> } })
      .response;
    const errors = (answer?.data as { errors?: GraphqlError[] } | undefined)?.errors;
    if (!errors?.some((e) => RATE_LIMIT_TYPES.has(e.type ?? ''))) throw error;
    throw new GraphqlRateLimited(resetOf(answer?.headers ?? {}));
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  if (errors.some((e) => RATE_LIMIT_TYPES.has(e.type ?? ''))) {
    throw new GraphqlRateLimited(resetOf(headers));
  }
  const data = body?.data ?? null;
  return { data, errors, rateLimit: readRateLimit(data?.rateLimit) };
}

function readRateLimit(value: unknown): GraphqlRateLimit | null {
  const r = value as Partial<GraphqlRateLimit> | undefined;
  if (typeof r?.cost !== 'number' || typeof r.remaining !== 'number') return null;
  return { cost: r.cost, remaining: r.remaining, resetAt: String(r.resetAt ?? '') };
}

/** `x-ratelimit-reset` (epoch seconds) as an ISO time; an hour from now when absent. */
function resetOf(headers: Record<string, unknown>): string {
  const reset = Number(headers['x-ratelimit-reset']);
  const at = Number.isFinite(reset) && reset > 0 ? reset * 1000 : Date.now() + 3_600_000;
  return new Date(at).toISOString();
}
