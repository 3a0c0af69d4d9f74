import type { GraphqlAnswer } from '../../github/graphql.api.js';

/** A mirror to ask GitHub about: by node id when one is known, else by name. */
export interface BatchTarget {
  githubId: number;
  owner: string;
  name: string;
  nodeId: string | null;
}

/** One field of a query: up to 100 repositories under one alias (or 100 aliases by name). */
interface Slot {
  alias: string;
  byId: boolean;
  targets: BatchTarget[];
}

export interface BatchQuery {
  query: string;
  variables: Record<string, unknown>;
  slots: Slot[];
}

export type BatchOutcome =
  | { githubId: number; found: true; nodeId: string; pushedAt: string | null }
  | { githubId: number; found: false };

/** GitHub's limit of ids in one `nodes(ids:)` field. */
export const IDS_PER_FIELD = 100;
const FIELDS = 'id databaseId pushedAt';

/**
 * The queries that ask `pushedAt` of every target: ids in `nodes(ids:)` fields of 100,
 * repositories without a known id as aliased `repository(owner:, name:)` fields (100 per
 * slot), `fieldsPerQuery` slots per query. Neither asks a connection, so GitHub prices
 * each query at its minimum, 1 point, whatever its size; `rateLimit` reports it.
 */
export function buildQueries(targets: BatchTarget[], fieldsPerQuery: number): BatchQuery[] {
  const slots: Slot[] = [];
  const byId = targets.filter((t) => t.nodeId !== null);
  const byName = targets.filter((t) => t.nodeId === null);
  for (let i = 0; i < byId.length; i += IDS_PER_FIELD) {
    slots.push({
      alias: `n${slots.length}`,
      byId: true,
      targets: byId.slice(i, i + IDS_PER_FIELD),
    });
  }
  for (let i = 0; i < byName.length; i += IDS_PER_FIELD) {
    const chunk = byName.slice(i, i + IDS_PER_FIELD);
    slots.push({ alias: `r${slots.length}`, byId: false, targets: chunk });
  }
  const queries: BatchQuery[] = [];
  for (let i = 0; i < slots.length; i += fieldsPerQuery) {
    queries.push(toQuery(slots.slice(i, i + fieldsPerQuery)));
  }
  return queries;
}

function toQuery(slots: Slot[]): BatchQuery {
  const variables: Record<string, unknown> = {};
  const params: string[] = [];
  const fields: string[] = [];
  for (const slot of slots) {
    if (slot.byId) {
      variables[slot.alias] = slot.targets.map((t) => t.nodeId);
      params.push(`$${slot.alias}: [ID!]!`);
      fields.push(`${slot.alias}: nodes(ids: $${slot.alias}) { ... on Repository { ${FIELDS} } }`);
    } else {
      // Names passed as JSON strings are valid GraphQL strings; names are checked on the way in.
      slot.targets.forEach((t, j) => {
        const args = `owner: ${JSON.stringify(t.owner)}, name: ${JSON.stringify(t.name)}`;
        fields.push(`${slot.alias}_${j}: repository(${args}) { ${FIELDS} }`);
      });
    }
  }
  const head = params.length > 0 ? `query(${params.join(', ')})` : 'query';
  const query = `${head} { ${fields.join('\n')}\nrateLimit { cost remaining resetAt } }`;
  return { query, variables, slots };
}

/**
 * What the answer says of each target. A repository GitHub reports NOT_FOUND is `found:
 * false` (the caller asks the REST API what became of it); one left out for another
 * reason (a field that failed as a whole, another error) is not in the result at all.
 */
export function readAnswer(query: BatchQuery, answer: GraphqlAnswer): BatchOutcome[] {
  const missing = new Set(
    answer.errors.filter((e) => e.type === 'NOT_FOUND').map((e) => (e.path ?? []).join('.')),
  );
  const data = answer.data ?? {};
  const out: BatchOutcome[] = [];
  for (const slot of query.slots) {
    slot.targets.forEach((target, j) => {
      const path = slot.byId ? `${slot.alias}.${j}` : `${slot.alias}_${j}`;
      const value = slot.byId
        ? (data[slot.alias] as unknown[] | undefined)?.[j]
        : data[`${slot.alias}_${j}`];
      const repo = value as { id?: string; pushedAt?: string | null } | null | undefined;
      if (repo && typeof repo.id === 'string') {
        out.push({
          githubId: target.githubId,
          found: true,
          nodeId: repo.id,
          pushedAt: repo.pushedAt ?? null,
        });
      } else if (missing.has(path)) {
        out.push({ githubId: target.githubId, found: false });
      }
    });
  }
  return out;
}
