import { afterEach, describe, expect, it } from 'vitest';
import { RepoBuilder } from '../../support/git-repos.js';
import {
  eventually,
  type InProcessService,
  startInProcessService,
} from '../../support/service-in-process.js';

/** The value of one sample in Prometheus' text format, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics as the service wires it', () => {
  let running: InProcessService | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('moves the sync counters and the last-success time, and shows GitHub rate limit remaining', async () => {
    // A remaining quota no fresh double would answer, so the gauge can only come from GitHub.
    const s = await startInProcessService({
      onBeforeStart: (github) => github.setRateLimit('octocat', { remaining: 1234 }),
    });
    running = s;
    const scrape = async () => (await fetch(`${s.url}/metrics`)).text();

    const before = await scrape();
    expect(sample(before, 'starbridge_syncs_total', '{result="synced"}')).toBeUndefined();

    const record = s.github.addRepo({ owner: 'octocat', name: 'wired' });
    await new RepoBuilder(s.github.repoPath('octocat', 'wired')).commit('main', {
      files: { a: 'a\n' },
    });
    expect((await s.star({ id: record.id, owner: 'octocat', name: 'wired' })).status).toBe(202);

    const after = await eventually('a synced sync in /metrics', async () => {
      const text = await scrape();
      return sample(text, 'starbridge_syncs_total', '{result="synced"}') === 1 ? text : undefined;
    });
    expect(sample(after, 'starbridge_sync_duration_seconds_count', '{result="synced"}')).toBe(1);
    expect(sample(after, 'starbridge_mirrors', '{status="synced"}')).toBe(1);
    expect(
      sample(after, 'starbridge_webhook_deliveries_total', '{event="watch",outcome="queued"}'),
    ).toBe(1);
    const lastSuccess = sample(
      after,
      'starbridge_mirror_last_success_timestamp_seconds',
      '{repository="octocat/wired"}',
    );
    const age = lastSuccess === undefined ? undefined : Date.now() / 1000 - lastSuccess;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);

    // Each GitHub answer carries x-ratelimit-remaining; the gauge shows the latest one seen.
    await eventually('the gauge to show the double’s remaining quota', async () => {
      const shown = sample(await scrape(), 'starbridge_github_rate_limit_remaining');
      const remaining = s.github.rateLimit('octocat').remaining;
      return shown === remaining && remaining < 1234 ? true : undefined;
    });
  });
});
