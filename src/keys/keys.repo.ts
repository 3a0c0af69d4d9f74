import type { Selectable } from 'kysely';
import type { Executor } from '../db/executor.js';

/**
 * The key tables' types live here, beside their only queries, and are added to the shared
 * schema with `withTables`, so no other feature's types change.
 */
export interface SshKeysTable {
  name: string;
  public_key: string;
  fingerprint: string;
  /** `v1.<salt>.<iv>.<tag>.<ciphertext>` (see key-crypto.ts); never the key itself. */
  private_key_encrypted: string;
  created_at: string;
}

/** Which mirror fetches from GitHub over SSH, and with which key. */
export interface MirrorSshKeysTable {
  github_id: number;
  key_name: string;
  updated_at: string;
}

export type SshKeyRow = Selectable<SshKeysTable>;

function tables(db: Executor) {
  return db.withTables<{ ssh_keys: SshKeysTable; mirror_ssh_keys: MirrorSshKeysTable }>();
}

/** Public parts of every key, in name order (the encrypted private key is not read). */
export async function listKeys(db: Executor): Promise<Omit<SshKeyRow, 'private_key_encrypted'>[]> {
  return tables(db)
    .selectFrom('ssh_keys')
    .select(['name', 'public_key', 'fingerprint', 'created_at'])
    .orderBy('name')
    .execute();
}

export async function findKey(db: Executor, name: string): Promise<SshKeyRow | undefined> {
  return tables(db).selectFrom('ssh_keys').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function insertKey(db: Executor, row: SshKeyRow): Promise<void> {
  await tables(db).insertInto('ssh_keys').values(row).execute();
}

/** Deletes a key no mirror uses; returns false when there was none of that name. */
export async function deleteKey(db: Executor, name: string): Promise<boolean> {
  const result = await tables(db)
    .deleteFrom('ssh_keys')
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** `owner/name` of the mirrors set to use each key (read-only join with `mirrors`). */
export async function mirrorsByKey(db: Executor): Promise<Map<string, string[]>> {
  const rows = await tables(db)
    .selectFrom('mirror_ssh_keys')
    .innerJoin('mirrors', 'mirrors.github_id', 'mirror_ssh_keys.github_id')
    .select(['mirror_ssh_keys.key_name as key', 'mirrors.full_name as repo'])
    .orderBy('mirrors.full_name')
    .execute();
  const byKey = new Map<string, string[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.repo]);
  return byKey;
}

/** The key name a mirror fetches with, if any. */
export async function keyNameOfMirror(db: Executor, githubId: number): Promise<string | undefined> {
  const row = await tables(db)
    .selectFrom('mirror_ssh_keys')
    .select('key_name')
    .where('github_id', '=', githubId)
    .executeTakeFirst();
  return row?.key_name;
}

/** Sets (or, with `null`, clears) the key a mirror fetches with. */
export async function setMirrorKey(
  db: Executor,
  githubId: number,
  keyName: string | null,
  now: string,
): Promise<void> {
  const t = tables(db);
  if (keyName === null) {
    await t.deleteFrom('mirror_ssh_keys').where('github_id', '=', githubId).execute();
    return;
  }
  await t
    .insertInto('mirror_ssh_keys')
    .values({ github_id: githubId, key_name: keyName, updated_at: now })
    .onConflict((oc) => oc.column('github_id').doUpdateSet({ key_name: keyName, updated_at: now }))
    .execute();
}
