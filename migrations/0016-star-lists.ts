// GitHub Star Lists: which chosen list a starred mirror came from (its slug) and the OneDev
// parent that list maps to, below ONEDEV_ROOT_PROJECT. A repository moved to a list with
// another parent moves its OneDev project, as a rename does.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').addColumn('star_list', 'text').execute();
  await db.schema.alterTable('mirrors').addColumn('onedev_parent', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mirrors').dropColumn('onedev_parent').execute();
  await db.schema.alterTable('mirrors').dropColumn('star_list').execute();
}
