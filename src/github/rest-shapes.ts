import { z } from 'zod';

/**
 * Every field Starbridge reads from a GitHub REST answer, declared once. Parsing goes
 * through these schemas, and the contract test checks each field against the published
 * description of the pinned API version, so a field that version dropped fails a test
 * instead of a sync.
 */

/** `GET /repos/{owner}/{repo}`. */
export const repositoryBody = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
  private: z.boolean(),
  default_branch: z.string().nullish(),
  archived: z.boolean().optional(),
});

/** One repository of a listing (stars, an installation's repositories). */
export const repoItem = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
  private: z.boolean().optional(),
  default_branch: z.string().nullish(),
  archived: z.boolean().optional(),
});

/** One star in the `star+json` shape: when it was starred, and the repository. */
export const starItem = z.object({ starred_at: z.string().nullish(), repo: repoItem });

/** One star in the plain shape, for change detection: when the repository was last pushed. */
export const pushedItem = z.object({
  id: z.number().int().positive(),
  node_id: z.string().optional(),
  name: z.string(),
  owner: z.object({ login: z.string() }),
  pushed_at: z.string().nullish(),
});

/** `GET /app/installations`, one item. */
export const installationItem = z.object({
  id: z.number().int(),
  account: z.object({ login: z.string().optional() }).nullish(),
});

/** `GET /installation/repositories`, one page (the items are read with `repoItem`). */
export const installationRepositoriesPage = z.object({
  total_count: z.number().int().optional(),
  repositories: z.array(z.unknown()),
});

/** `GET /user`: the token's user. */
export const userBody = z.object({ login: z.string() });

/** Where each schema is read: the operation, and the media type GitHub answers it in. */
export interface RestRead {
  method: 'get';
  path: string;
  mediaType: string;
  /** The schema of the whole answer, or of one item when the answer is a list. */
  schema: z.ZodObject;
  list: boolean;
  /** For a paged answer whose items sit in a field: the field. */
  itemsIn?: { field: string; schema: z.ZodObject };
}

const JSON_TYPE = 'application/json';
const STAR_TYPE = 'application/vnd.github.v3.star+json';

export const REST_READS: readonly RestRead[] = [
  {
    method: 'get',
    path: '/repos/{owner}/{repo}',
    mediaType: JSON_TYPE,
    schema: repositoryBody,
    list: false,
  },
  { method: 'get', path: '/user/starred', mediaType: STAR_TYPE, schema: starItem, list: true },
  { method: 'get', path: '/user/starred', mediaType: JSON_TYPE, schema: pushedItem, list: true },
  {
    method: 'get',
    path: '/users/{username}/starred',
    mediaType: JSON_TYPE,
    schema: starItem,
    list: true,
  },
  {
    method: 'get',
    path: '/app/installations',
    mediaType: JSON_TYPE,
    schema: installationItem,
    list: true,
  },
  {
    method: 'get',
    path: '/installation/repositories',
    mediaType: JSON_TYPE,
    schema: installationRepositoriesPage,
    list: false,
    itemsIn: { field: 'repositories', schema: repoItem },
  },
  { method: 'get', path: '/user', mediaType: JSON_TYPE, schema: userBody, list: false },
];
