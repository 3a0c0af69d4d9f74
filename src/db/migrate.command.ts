import type { Config } from '../config/config.js';
import type { Logger } from '../shared/logger.js';
import { createDb } from './database.js';
import { migrateToLatest, readSchemaStatus } from './migrate.js';

/** `starbridge migrate`: applies pending migrations and says what it did. */
export async function migrateCommand(
  config: Config,
  log: Logger,
  out: (line: string) => void,
): Promise<number> {
  const db = createDb(config.db, log);
  try {
    const applied = await migrateToLatest(db);
    const status = await readSchemaStatus(db);
    out(
      applied.length > 0
        ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
        : `schema already current (${status.applied.length} migration(s) applied)`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}
