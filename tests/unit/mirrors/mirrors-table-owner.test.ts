import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const QUOTED = `\\s*['"\`]mirrors['"\`]\\s*`;
/** Kysely writes and raw SQL writes to the `mirrors` table. */
const WRITES = [
  new RegExp(`\\b(insertInto|replaceInto|updateTable|deleteFrom|mergeInto)\\(${QUOTED}\\)`),
  /\b(update|insert\s+(or\s+\w+\s+)?into|replace\s+into|delete\s+from)\s+["`]?mirrors["`]?\b/i,
];
const READ = new RegExp(`\\bselectFrom\\(${QUOTED}\\)|\\bfrom\\s+["\`]?mirrors["\`]?\\b`, 'i');

const writes = (text: string) => WRITES.some((pattern) => pattern.test(text));
const files = sourceFiles('src').map((path) => ({
  path: relative(ROOT, join(ROOT, path)),
  text: readFileSync(join(ROOT, path), 'utf8'),
}));

describe('the mirrors module owns the mirrors table', () => {
  it('recognises every form of write it forbids', () => {
    for (const text of [
      "db.insertInto('mirrors')",
      'trx.updateTable("mirrors")',
      "db\n  .deleteFrom( 'mirrors' )",
      'sql`update mirrors set status = 1`',
      'sql`INSERT INTO mirrors (github_id) values (1)`',
      'sql`delete from "mirrors" where 1`',
    ]) {
      expect(writes(text), text).toBe(true);
    }
    expect(writes("db.selectFrom('mirrors')")).toBe(false);
    expect(writes("db.updateTable('mirror_runs')")).toBe(false);
  });

  it('nothing outside src/mirrors/ writes the mirrors table', () => {
    const outside = files.filter((f) => !f.path.startsWith('src/mirrors/') && writes(f.text));
    expect(outside.map((f) => f.path)).toEqual([]);
  });

  it('outside src/mirrors/, the table is only read from repository files', () => {
    const readers = files.filter(
      (f) =>
        !f.path.startsWith('src/mirrors/') && !f.path.endsWith('.repo.ts') && READ.test(f.text),
    );
    expect(readers.map((f) => f.path)).toEqual([]);
  });

  // Besides the state machine's patches: the due-mirror claim (its patch, the row picked in
  // SQL), a tick's refresh slots (the `schedule-refresh` rule for 250 rows a statement) and the
  // preferred replica (no status rule reads it).
  it('inside src/mirrors/, updates are written only from the state machine, or by the batched writes beside it', () => {
    const updaters = files.filter(
      (f) => f.path.startsWith('src/mirrors/') && /\bupdateTable\(\s*['"`]mirrors/.test(f.text),
    );
    expect(updaters.map((f) => f.path).sort()).toEqual([
      'src/mirrors/mirror-apply.repo.ts',
      'src/mirrors/mirror-lease.repo.ts',
      'src/mirrors/mirror-refresh.repo.ts',
      'src/mirrors/mirror-replica.repo.ts',
    ]);
  });
});
