import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityFilter } from '../../../src/activity/activity.js';
import { readActivity } from '../../../src/activity/activity.repo.js';
import { insertSnapshots } from '../../../src/history/history.repo.js';
import { recordNotification } from '../../../src/notify/notifications.repo.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { seedMirror } from '../admin/admin-kit.js';

const T = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString();
const log = createLogger({ level: 'silent' });

/** A receiver that answers 200, or 500 to every POST whose body names `refuse`. */
async function startReceiver(refuse: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => res.writeHead(body.includes(refuse) ? 500 : 200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The path stands for a chat webhook's secret part: it must never reach the ledger.
  return { server, url: `http://127.0.0.1:${port}/hooks/T0SECRET/B0SECRET` };
}

describe.each(DIALECTS)(
  'drift, kept history and notifications in the activity log on %s',
  (dialect) => {
    let handle: TestDb;
    let alpha: number;
    let beta: number;
    let receiver: { server: Server; url: string } | undefined;
    beforeEach(async () => {
      handle = await createTestDb(dialect);
      alpha = await seedMirror(handle, 'octocat/alpha');
      beta = await seedMirror(handle, 'octocat/beta');
      const drift = (restored: boolean) =>
        JSON.stringify({
          refs: [
            {
              ref: 'refs/heads/main',
              kind: 'moved',
              expected: 'a'.repeat(40),
              found: 'b'.repeat(40),
            },
          ],
          restored,
        });
      const run = (
        id: string,
        githubId: number,
        minute: number,
        result: string,
        d: string | null,
      ) => ({
        id,
        github_id: githubId,
        trigger: 'webhook',
        attempt: 1,
        worker: 'w',
        started_at: T(minute),
        finished_at: T(minute + 1),
        result,
        error: null,
        error_code: null,
        refs: '[]',
        containers: null,
        phase: null,
        drift: d,
      });
      await handle.db
        .insertInto('sync_runs')
        .values([
          run('r1', alpha, 1, 'synced', drift(true)),
          run('r2', beta, 2, 'empty', drift(false)),
          run('r3', alpha, 3, 'synced', null),
        ])
        .execute();
      await insertSnapshots(handle.db, [
        {
          id: 'h1',
          github_id: alpha,
          project_path: 'github/octocat/alpha',
          ref: 'refs/heads/main',
          old_sha: 'c'.repeat(40),
          new_sha: 'd'.repeat(40),
          reason: 'force-push',
          taken_at: T(4),
          location: 'ref',
          kept_ref: 'refs/starbridge/history/heads/main/20261101T120400Z',
          bundle_path: null,
        },
      ]);
      // Two notifications through the real notifier: one delivered, one refused every time.
      const r = await startReceiver('mirror.failed');
      receiver = r;
      let minute = 5;
      const notifier = createNotifier({
        url: r.url,
        clock: { now: () => new Date(T(minute++)) },
        log,
        attempts: 2,
        retryDelayMs: 1,
        channel: 'webhook',
        record: (attempt) => recordNotification(handle.db, attempt),
      });
      notifier.send({ kind: 'mirror.recovered', text: 'ok', repository: 'octocat/alpha' });
      notifier.send({ kind: 'mirror.failed', text: 'boom', repository: 'OctoCat/Beta' });
      notifier.send({ kind: 'alert.token', text: 'no repository' });
      await notifier.drain();
    });
    afterEach(async () => {
      receiver?.server.close();
      await handle.destroy();
    });

    const read = async (filter: Partial<ActivityFilter>) =>
      (await readActivity(handle.db, { limit: 50, ...filter })).entries;
    const ids = async (filter: Partial<ActivityFilter>) =>
      (await read(filter)).map((e) => `${e.kind}:${e.id}`);

    it('shows the runs that found OneDev changed, each linking to its run', async () => {
      const drifts = await read({ kinds: ['drift'] });
      expect(drifts.map((e) => [e.id, e.result, e.repository])).toEqual([
        ['r2', 'not_restored', 'octocat/beta'],
        ['r1', 'restored', 'octocat/alpha'],
      ]);
      expect(drifts[1]?.summary).toBe('changed in OneDev: refs/heads/main moved');
      expect(drifts[1]?.href).toBe('/dashboard/mirrors/octocat/alpha#run-r1');
      expect(await ids({ kinds: ['drift'], outcome: 'failed' })).toEqual(['drift:r2']);
      expect(await ids({ kinds: ['drift'], githubId: alpha })).toEqual(['drift:r1']);
    });

    it('shows each kept tip, linking to the mirror’s history', async () => {
      const [kept] = await read({ kinds: ['history'] });
      expect(kept).toMatchObject({
        id: 'h1',
        result: 'force-push',
        repository: 'octocat/alpha',
        href: '/dashboard/mirrors/octocat/alpha#history',
      });
      expect(kept?.summary).toContain('refs/heads/main');
      expect(await ids({ kinds: ['history'], githubId: beta })).toEqual([]);
      expect(await ids({ kinds: ['history'], outcome: 'failed' })).toEqual([]);
    });

    it('records every notification attempted, by channel name and never the URL', async () => {
      const sent = await read({ kinds: ['notification'] });
      expect(sent.map((e) => [e.result, e.repository])).toEqual([
        ['delivered', null],
        ['failed', 'OctoCat/Beta'],
        ['delivered', 'octocat/alpha'],
      ]);
      expect(sent[1]?.summary).toBe('mirror.failed to webhook: HTTP 500');
      expect(sent[1]?.href).toBe('/dashboard/mirrors/OctoCat/Beta');
      expect(sent[0]?.href).toBe('/dashboard/settings');
      const rows = await handle.db
        .withTables<{ notifications: Record<string, unknown> }>()
        .selectFrom('notifications')
        .selectAll()
        .execute();
      expect(JSON.stringify(rows)).not.toContain('SECRET');
      expect(JSON.stringify(rows)).not.toContain('127.0.0.1');
      expect(
        (await read({ kinds: ['notification'], outcome: 'failed' })).map((e) => e.kind),
      ).toEqual(['notification']);
      // Notifications name a repository, not an id: the repository filter matches it in any case.
      expect(
        await ids({ kinds: ['notification'], githubId: beta, repositoryKey: 'octocat/beta' }),
      ).toHaveLength(1);
      expect(await ids({ kinds: ['notification'], githubId: beta })).toEqual([]);
    });

    it('merges the new kinds with the others, newest first', async () => {
      const all = (await ids({})).map((id) => id.split(':')[0]);
      // At one instant a run comes before the drift it found (kinds order descending).
      expect(all).toEqual([
        'notification',
        'notification',
        'notification',
        'history',
        'sync',
        'sync',
        'drift',
        'sync',
        'drift',
      ]);
    });
  },
);
