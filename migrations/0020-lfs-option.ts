// A mirror's LFS setting moves from the `mirrors.lfs` column into mirror_options (key `lfs`,
// JSON true/false), beside the other per-mirror options, so it has one place and a who/when.
// The column stays (dropping a column on SQLite means rebuilding the table) and is no longer
// read; `down` copies the options back into it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const now = new Date().toISOString();
  await sql`
    INSERT INTO mirror_options (github_id, key, value, updated_by, updated_at)
    SELECT github_id, 'lfs', CASE WHEN lfs = 1 THEN 'true' ELSE 'false' END, 'migration', ${now}
    FROM mirrors
    WHERE lfs IS NOT NULL
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    UPDATE mirrors SET lfs = (
      SELECT CASE WHEN o.value = 'true' THEN 1 ELSE 0 END
      FROM mirror_options o
      WHERE o.github_id = mirrors.github_id AND o.key = 'lfs'
    )
  `.execute(db);
  await sql`DELETE FROM mirror_options WHERE key = 'lfs'`.execute(db);
}
