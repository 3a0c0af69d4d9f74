// The data the dashboard benchmark reads: a month of a busy installation's ledgers.
import { sql } from 'kysely';
import type { DbHandle } from '../src/db/database.js';
import { insertSnapshots } from '../src/history/history.repo.js';
import { notificationsOf } from '../src/notify/notifications.repo.js';

const DAY = 86_400_000;
export const NOW = Date.parse('2026-12-01T12:00:00.000Z');

/**
 * 2,000 mirrors, 100,000 runs over 30 days (one in 200 found OneDev changed), deliveries,
 * container actions, changes, kept tips and notifications.
 */
export async function seed(handle: DbHandle, mirrors: number, runs: number): Promise<void> {
  const statuses = ['synced', 'synced', 'synced', 'failed', 'queued', 'retrying', 'paused'];
  for (let start = 0; start < mirrors; start += 200) {
    const rows = Array.from({ length: Math.min(200, mirrors - start) }, (_, k) => {
      const i = start + k;
      const name = `repo-${String(i).padStart(4, '0')}`;
      return {
        github_id: 1_000_000 + i,
        owner: 'bench',
        name,
        full_name: `bench/${name}`,
        full_name_key: `bench/${name}`,
        status: statuses[i % statuses.length] as string,
        source: i % 3 === 0 ? 'manual' : 'star',
        starred: 1,
        private: 0,
        attempts: 0,
        resync_requested: 0,
        onedev_path: `github/bench/${name}`,
        last_synced_at: new Date(NOW - ((i * 7919) % (30 * 1440)) * 60_000).toISOString(),
        next_attempt_at: i % 2 ? new Date(NOW + i * 60_000).toISOString() : null,
        created_at: new Date(NOW - 40 * DAY).toISOString(),
        updated_at: new Date(NOW).toISOString(),
      };
    });
    await handle.db.insertInto('mirrors').values(rows).execute();
  }
  const results = ['synced', 'unchanged', 'unchanged', 'unchanged', 'failed', 'retrying'];
  for (let start = 0; start < runs; start += 500) {
    const rows = Array.from({ length: Math.min(500, runs - start) }, (_, k) => {
      const i = start + k;
      const at = NOW - Math.floor((i / runs) * 30 * DAY);
      const result = results[i % results.length] as string;
      return {
        id: `run-${String(i).padStart(6, '0')}`,
        github_id: 1_000_000 + ((i * 31) % mirrors),
        trigger: 'refresh',
        attempt: 1,
        worker: 'bench',
        started_at: new Date(at).toISOString(),
        finished_at: new Date(at + 2_000 + (i % 50) * 100).toISOString(),
        result,
        error: result === 'failed' || result === 'retrying' ? 'GitHub answered 502' : null,
        error_code: null,
        refs:
          result === 'synced'
            ? '[{"ref":"refs/heads/main","kind":"updated","old":"a","new":"b"}]'
            : '[]',
        containers: null,
        phase: 'verifying',
        drift: i % 200 === 7 ? DRIFT : null,
        bytes_fetched: result === 'synced' ? 40_000 + (i % 97) * 512 : 0,
        bytes_pushed: result === 'synced' ? 38_000 + (i % 89) * 512 : 0,
      };
    });
    await handle.db.insertInto('sync_runs').values(rows).execute();
  }
  const deliveries = Array.from({ length: 5_000 }, (_, i) => ({
    id: `delivery-${i}`,
    hook_id: '1',
    delivery_id: `d-${i}`,
    event: 'push',
    action: null,
    github_id: 1_000_000 + (i % mirrors),
    repository: `bench/repo-${String(i % mirrors).padStart(4, '0')}`,
    outcome: i % 10 === 0 ? 'ignored' : 'queued',
    detail: null,
    received_at: new Date(NOW - Math.floor((i / 5_000) * 30 * DAY)).toISOString(),
  }));
  for (let s = 0; s < deliveries.length; s += 500) {
    await handle.db
      .insertInto('webhook_deliveries')
      .values(deliveries.slice(s, s + 500))
      .execute();
  }
  const tables = handle.db.withTables<{
    container_actions: {
      id: string;
      kind: string;
      container: string | null;
      container_id: string | null;
      repository: string | null;
      result: string;
      message: string | null;
      output: string | null;
      exit_code: number | null;
      started_at: string;
      finished_at: string;
    };
    mirror_changes: {
      id: string;
      github_id: number;
      change: string;
      detail: string | null;
      actor: string;
      at: string;
    };
  }>();
  const actions = Array.from({ length: 1_000 }, (_, i) => {
    const at = NOW - Math.floor((i / 1_000) * 30 * DAY);
    return {
      id: `action-${i}`,
      kind: 'restart',
      container: `app-${i % 20}`,
      container_id: null,
      repository: `bench/repo-${String(i % mirrors).padStart(4, '0')}`,
      result: i % 15 === 0 ? 'failed' : 'restarted',
      message: null,
      output: null,
      exit_code: null,
      started_at: new Date(at).toISOString(),
      finished_at: new Date(at + 3_000).toISOString(),
    };
  });
  await tables.insertInto('container_actions').values(actions).execute();
  const changes = Array.from({ length: 2_000 }, (_, i) => ({
    id: `change-${i}`,
    github_id: 1_000_000 + (i % mirrors),
    change: i % 2 ? 'pause' : 'resume',
    detail: null,
    actor: 'dashboard (127.0.0.1)',
    at: new Date(NOW - Math.floor((i / 2_000) * 30 * DAY)).toISOString(),
  }));
  for (let s = 0; s < changes.length; s += 500) {
    await tables
      .insertInto('mirror_changes')
      .values(changes.slice(s, s + 500))
      .execute();
  }
  await seedHistoryAndNotifications(handle, mirrors);
  await sql`analyze`.execute(handle.db);
}

const DRIFT = JSON.stringify({
  refs: [
    { ref: 'refs/heads/main', kind: 'moved', expected: 'a'.repeat(40), found: 'b'.repeat(40) },
  ],
  restored: true,
});

/** 2,000 kept tips and 5,000 notifications (one in ten failed) over the same 30 days. */
async function seedHistoryAndNotifications(handle: DbHandle, mirrors: number): Promise<void> {
  const spread = (i: number, n: number) =>
    new Date(NOW - Math.floor((i / n) * 30 * DAY)).toISOString();
  const snapshots = Array.from({ length: 2_000 }, (_, i) => ({
    id: `kept-${i}`,
    github_id: 1_000_000 + (i % mirrors),
    project_path: `github/bench/repo-${String(i % mirrors).padStart(4, '0')}`,
    ref: 'refs/heads/main',
    old_sha: 'c'.repeat(40),
    new_sha: 'd'.repeat(40),
    reason: 'force-push',
    taken_at: spread(i, 2_000),
    location: 'ref',
    kept_ref: `refs/starbridge/history/heads/main/${i}`,
    bundle_path: null,
  }));
  for (let s = 0; s < snapshots.length; s += 500) {
    await insertSnapshots(handle.db, snapshots.slice(s, s + 500));
  }
  const sent = Array.from({ length: 5_000 }, (_, i) => ({
    id: `notification-${i}`,
    at: spread(i, 5_000),
    kind: i % 10 === 0 ? 'mirror.failed' : 'mirror.recovered',
    repository: `bench/repo-${String(i % mirrors).padStart(4, '0')}`,
    channel: 'webhook',
    result: i % 10 === 0 ? 'failed' : 'delivered',
    error: i % 10 === 0 ? 'HTTP 502' : null,
  }));
  for (let s = 0; s < sent.length; s += 500) {
    await notificationsOf(handle.db)
      .insertInto('notifications')
      .values(sent.slice(s, s + 500))
      .execute();
  }
}
