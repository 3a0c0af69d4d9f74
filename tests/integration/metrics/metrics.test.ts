import { afterEach, describe, expect, it } from 'vitest';
import { RepoBuilder } from '../../support/git-repos.js';
import { type Pipeline, startPipeline, WEBHOOK_SECRET } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, webhookRequest, withRepository } from '../../support/webhooks.js';

/** Seconds since a mirror's last success, from its timestamp gauge; undefined when absent. */
function lastSuccessAge(text: string, repository: string): number | undefined {
  const at = sample(
    text,
    'starbridge_mirror_last_success_timestamp_seconds',
    `{repository="${repository}"}`,
  );
  return at === undefined ? undefined : Date.now() / 1000 - at;
}

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
    // The standard Node.js series keep their standard names, for stock dashboards.
    expect(before).toContain('\nprocess_cpu_seconds_total ');
    expect(before).toContain('\nnodejs_eventloop_lag_seconds ');
    expect(before).not.toContain('starbridge_process_');
    expect(before).toMatch(
      /\nstarbridge_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+\.\d+\.\d+",git="[^"]+"\} 1\n/,
    );

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
    const fresh = lastSuccessAge(after, 'octocat/measured');
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(fresh).toBeLessThan(60);

    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await p.handle.db.updateTable('mirrors').set({ last_synced_at: twoDaysAgo }).execute();
    const stale = lastSuccessAge(await scrape(), 'octocat/measured');
    expect(stale).toBeGreaterThanOrEqual(2 * 86_400 - 5);
    expect(stale).toBeLessThan(2 * 86_400 + 60);

    // A real sync of a new commit (push webhook) moves the last-success time back to now.
    await repo.commit('main', { files: { a: 'b\n' } });
    const pushed = p.nextSync(record.id);
    await p.deliver('push', withRepository(webhookExample('push'), identity));
    expect((await pushed).result).toBe('synced');
    const resynced = lastSuccessAge(await scrape(), 'octocat/measured');
    expect(resynced).toBeGreaterThanOrEqual(0);
    expect(resynced).toBeLessThan(60);

    // A paused mirror (unstarred and kept, archived) stops syncing on purpose: not stale.
    await p.handle.db.updateTable('mirrors').set({ status: 'paused' }).execute();
    const paused = await scrape();
    expect(sample(paused, 'starbridge_mirrors', '{status="paused"}')).toBe(1);
    expect(lastSuccessAge(paused, 'octocat/measured')).toBeUndefined();
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
