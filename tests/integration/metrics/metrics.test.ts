import { afterEach, describe, expect, it } from 'vitest';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline, WEBHOOK_SECRET } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, webhookRequest, withRepository } from '../../support/webhooks.js';

/** The value of one sample in Prometheus' text format, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe.each(DIALECTS)('/metrics on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  it('moves delivery, sync and mirror metrics when a webhook leads to a sync, shows staleness, and a sync clears it', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const scrape = async () => {
      const res = await p.app.request('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      return res.text();
    };
    const before = await scrape();
    expect(sample(before, 'starbridge_mirrors', '{status="synced"}')).toBe(0);
    expect(sample(before, 'starbridge_syncs_total', '{result="synced"}')).toBeUndefined();
    expect(before).toContain('starbridge_process_cpu_seconds_total');

    const record = p.github.addRepo({ owner: 'octocat', name: 'measured' });
    const repo = new RepoBuilder(p.github.repoPath('octocat', 'measured'));
    await repo.commit('main', { files: { a: 'a\n' } });
    const identity = { id: record.id, owner: 'octocat', name: 'measured' };
    const done = p.nextSync(record.id);
    await p.deliver('watch', withRepository(webhookExample('watch', 'started'), identity));
    await p.deliver('issues', { action: 'opened' });
    expect((await done).result).toBe('synced');

    const after = await scrape();
    expect(
      sample(after, 'starbridge_webhook_deliveries_total', '{event="watch",outcome="queued"}'),
    ).toBe(1);
    expect(
      sample(after, 'starbridge_webhook_deliveries_total', '{event="other",outcome="ignored"}'),
    ).toBe(1);
    expect(sample(after, 'starbridge_syncs_total', '{result="synced"}')).toBe(1);
    expect(sample(after, 'starbridge_sync_duration_seconds_count', '{result="synced"}')).toBe(1);
    expect(sample(after, 'starbridge_mirrors', '{status="synced"}')).toBe(1);
    const fresh = sample(
      after,
      'starbridge_mirror_seconds_since_last_success',
      '{repository="octocat/measured"}',
    );
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(fresh).toBeLessThan(60);

    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await p.handle.db.updateTable('mirrors').set({ last_synced_at: twoDaysAgo }).execute();
    const stale = sample(
      await scrape(),
      'starbridge_mirror_seconds_since_last_success',
      '{repository="octocat/measured"}',
    );
    expect(stale).toBeGreaterThanOrEqual(2 * 86_400 - 5);
    expect(stale).toBeLessThan(2 * 86_400 + 60);

    // A real sync of a new commit (push webhook) moves the last-success time back to now.
    await repo.commit('main', { files: { a: 'b\n' } });
    const pushed = p.nextSync(record.id);
    await p.deliver('push', withRepository(webhookExample('push'), identity));
    expect((await pushed).result).toBe('synced');
    const resynced = sample(
      await scrape(),
      'starbridge_mirror_seconds_since_last_success',
      '{repository="octocat/measured"}',
    );
    expect(resynced).toBeGreaterThanOrEqual(0);
    expect(resynced).toBeLessThan(60);

    // A paused mirror (unstarred and kept, archived) stops syncing on purpose: not stale.
    await p.handle.db.updateTable('mirrors').set({ status: 'paused' }).execute();
    const paused = await scrape();
    expect(sample(paused, 'starbridge_mirrors', '{status="paused"}')).toBe(1);
    expect(
      sample(
        paused,
        'starbridge_mirror_seconds_since_last_success',
        '{repository="octocat/measured"}',
      ),
    ).toBeUndefined();
  });

  it('counts refused deliveries by why they were refused, so a wrong secret is visible', async () => {
    const p = await startPipeline({ dialect });
    pipeline = p;
    const post = (request: { body: string; headers: Record<string, string> }) =>
      p.app.request('/webhooks/github', {
        method: 'POST',
        body: request.body,
        headers: request.headers,
      });
    const payload = webhookExample('watch', 'started');
    const wrongSecret = webhookRequest({ event: 'watch', payload, secret: 'not-the-secret' });
    expect((await post(wrongSecret)).status).toBe(401);
    expect((await post(wrongSecret)).status).toBe(401);
    const formEncoded = webhookRequest({ event: 'push', payload, secret: WEBHOOK_SECRET });
    formEncoded.headers['content-type'] = 'application/x-www-form-urlencoded';
    expect((await post(formEncoded)).status).toBe(415);
    const notJson = webhookRequest({ event: 'push', body: '{nope', secret: WEBHOOK_SECRET });
    expect((await post(notJson)).status).toBe(400);

    const text = await (await p.app.request('/metrics')).text();
    const count = (labels: string) => sample(text, 'starbridge_webhook_deliveries_total', labels);
    expect(count('{event="watch",outcome="rejected_signature"}')).toBe(2);
    expect(count('{event="push",outcome="rejected_content_type"}')).toBe(1);
    expect(count('{event="push",outcome="rejected_payload"}')).toBe(1);
  });
});
