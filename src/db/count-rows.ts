import type { SelectQueryBuilder } from 'kysely';

/**
 * The number of rows a filtered query matches, for paginated listings: the same filters as
 * the page, without its order, limit and offset.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is Kysely's type for "no columns selected yet".
export async function countRows<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, {}>) {
  // Kysely cannot infer the selection over a generic table, hence the stated row type.
  const row = (await query
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string | bigint };
  return Number(row.n);
}
