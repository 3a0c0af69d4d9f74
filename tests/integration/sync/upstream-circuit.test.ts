import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorRow } from '../../../src/db/schema/index.js';
import type { Upstream } from '../../../src/shared/quick-retry.js';
import { listRuns } from '../../../src/sync/runs.repo.js';
import { startNotifications } from '../../../src/wiring/notify.js';
import { eventually } from '../../support/eventually.js';
import { RepoBuilder } from '../../support/git-repos.js';
import { type NotifyReceiver, startNotifyReceiver } from '../../support/notify-receiver.js';
import { headsAndTags, type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

/** Real time shifted by `advance`: ten minutes of an outage pass in seconds. */
function shiftedClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

/**
 * An outage of OneDev (docs/reference/bad-inputs.md#o05: its plain 500) or GitHub that
 * outlives the quick retries opens the upstream's circuit: no sync is claimed, no mirror
 * spends attempts or fails, one notification tells the outage and one its end, and the
 * mirrors sync as soon as the probe finds the upstream answering again.
 */
describe.each(DIALECTS)('upstream circuits on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  let receiver: NotifyReceiver | undefined;
  let stopNotifications: ((graceMs: number) => Promise<void>) | undefined;
  afterEach(async () => {
    await stopNotifications?.(1_000);
    await pipeline?.close();
    await receiver?.close();
    pipeline = undefined;
    receiver = undefined;
    stopNotifications = undefined;
  });

  /** The pipeline with NOTIFY_URL on a real receiver, notifications started as the service does. */
  async function start(clock?: ReturnType<typeof shiftedClock>): Promise<Pipeline> {
    receiver = await startNotifyReceiver();
    const p = await startPipeline({ dialect, clock, env: { NOTIFY_URL: receiver.url } });
    pipeline = p;
    stopNotifications = await startNotifications(p.config.notify, {
      handle: p.handle,
      clock: p.services.clock,
      log: p.services.log,
      worker: p.worker,
      containerEvents: p.services.containers.events,
      sourcesEvents: p.services.sources.events,
      circuitEvents: p.services.circuits.events,
      circuitSettleMs: 6 * p.config.upstreams.probeIntervalMs,
    });
    return p;
  }

  async function starred(p: Pipeline, name: string) {
    const record = p.github.addRepo({ owner: 'alice', name });
    const repo = new RepoBuilder(p.github.repoPath('alice', name));
    await repo.commit('main', { files: { 'README.md': `# ${name}\n` } });
    await repo.tag('v1', 'main');
    return { record, repo, name };
  }

  async function starThree(p: Pipeline) {
    const repos = await Promise.all(['one', 'two', 'three'].map((name) => starred(p, name)));
    for (const { record, name } of repos) {
      const payload = withRepository(webhookExample('watch', 'started'), {
        id: record.id,
        owner: 'alice',
        name,
      });
      expect((await p.deliver('watch', payload)).status).toBe(202);
    }
    return repos;
  }

  const rows = (p: Pipeline): Promise<MirrorRow[]> =>
    p.handle.db.selectFrom('mirrors').selectAll().orderBy('github_id').execute();

  const circuit = (p: Pipeline, upstream: Upstream) =>
    p.services.circuits.views().find((view) => view.upstream === upstream);

  async function allSynced(p: Pipeline, timeoutMs: number) {
    return eventually(
      'every mirror synced',
      async () => {
        const all = await rows(p);
        return all.length === 3 && all.every((row) => row.status === 'synced') && all;
      },
      timeoutMs,
    );
  }

  async function expectMirrored(p: Pipeline, repos: Awaited<ReturnType<typeof starThree>>) {
    for (const { repo, name } of repos) {
      expect(await p.onedev.refs(`github/alice/${name}`)).toEqual(headsAndTags(await repo.refs()));
    }
  }

  it('syncs three new stars within 60 s while 30 % of OneDev REST calls fail with 500', async () => {
    const p = await start();
    p.onedev.faults.serverError({ scope: 'rest', share: 0.3, seed: 30 });
    const repos = await starThree(p);
    const synced = await allSynced(p, 60_000);
    expect(synced.map((row) => row.status)).toEqual(['synced', 'synced', 'synced']);
    expect(p.onedev.requests.some((r) => r.kind === 'rest' && r.status === 500)).toBe(true);
    await expectMirrored(p, repos);
  }, 90_000);

  it('syncs three new stars within 3 minutes while half of OneDev REST calls fail with 500', async () => {
    const p = await start();
    p.onedev.faults.serverError({ scope: 'rest', share: 0.5, seed: 50 });
    const repos = await starThree(p);
    await allSynced(p, 180_000);
    await expectMirrored(p, repos);
    for (const row of await rows(p)) {
      const runs = await listRuns(p.handle.db, row.github_id);
      expect(runs.filter((run) => run.result === 'failed')).toEqual([]);
    }
  }, 200_000);

  it('waits out ten minutes of OneDev answering 500 to everything: nothing fails, no attempt is spent, one incident', async () => {
    const clock = shiftedClock();
    const p = await start(clock);
    p.onedev.faults.serverError();
    const repos = await starThree(p);

    // The faults of two mirrors, after their quick retries, open OneDev's circuit.
    await eventually('OneDev circuit open', () => circuit(p, 'onedev')?.state === 'open', 60_000);
    await eventually('running syncs ended', () => p.worker.running() === 0, 30_000);
    // The attempts the faults used before it opened are given back.
    await eventually('no attempt spent', async () =>
      (await rows(p)).every((row) => row.attempts === 0 && row.status === 'retrying'),
    );

    const health = await p.app.request('/health');
    const report = (await health.json()) as {
      status: string;
      components: Record<string, { status: string; circuits?: Record<string, unknown> }>;
    };
    expect(report.status).toBe('degraded');
    expect(report.components.upstreams?.status).toBe('degraded');
    expect(report.components.upstreams?.circuits?.onedev).toMatchObject({
      state: 'open',
      since: expect.any(String),
      lastError: expect.stringMatching(/500|Server Error/),
      nextProbeAt: expect.any(String),
    });
    expect(report.components.upstreams?.circuits?.github).toMatchObject({ state: 'closed' });
    const metrics = await p.metrics.render();
    expect(metrics).toContain('starbridge_upstream_circuit_open{upstream="onedev"} 1');
    expect(metrics).toContain('starbridge_upstream_circuit_open{upstream="github"} 0');
    expect(metrics).toContain('starbridge_upstream_circuit_opens_total{upstream="onedev"} 1');

    // Ten minutes pass: the mirrors are due all along, but no sync is claimed.
    const runsBefore = await countRuns(p);
    const firstProbe = circuit(p, 'onedev')?.nextProbeAt;
    for (let minute = 0; minute < 20; minute++) {
      clock.advance(30_000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      for (const row of await rows(p)) {
        expect(row).toMatchObject({ status: 'retrying', attempts: 0 });
      }
      expect(p.worker.running()).toBe(0);
    }
    expect(await countRuns(p)).toBe(runsBefore);
    // The probe kept failing: still open, its next run moved on.
    expect(circuit(p, 'onedev')).toMatchObject({ state: 'open' });
    expect(circuit(p, 'onedev')?.nextProbeAt).not.toBe(firstProbe);

    // OneDev answers again: within 30 s every mirror is synced.
    p.onedev.faults.clear();
    const answeredAt = Date.now();
    const synced = await allSynced(p, 30_000);
    expect(Date.now() - answeredAt).toBeLessThan(30_000);
    expect(synced.every((row) => row.attempts === 0)).toBe(true);
    await expectMirrored(p, repos);
    expect(circuit(p, 'onedev')?.state).toBe('closed');

    // The recovery is told once the circuit stayed closed for six probe intervals (30 s).
    await eventually('the recovery message', () => receiver?.received.length === 2, 60_000);
    await stopNotifications?.(5_000);
    stopNotifications = undefined;
    const messages = receiver?.received ?? [];
    expect(messages.map((m) => m.kind)).toEqual(['upstream.unreachable', 'upstream.recovered']);
    expect(messages[0]?.text).toMatch(/OneDev unreachable since \d{4}-\d\d-\d\dT/);
    expect(messages[1]?.text).toMatch(/OneDev answers again/);
    const after = await p.metrics.render();
    expect(after).toContain('starbridge_upstream_circuit_open{upstream="onedev"} 0');
  }, 180_000);

  it('waits out GitHub answering 502 to git and REST: no attempt spent, one incident, synced after', async () => {
    const p = await start();
    p.github.faults.serverError(1_000_000, { scope: 'all' });
    const repos = await starThree(p);

    await eventually('GitHub circuit open', () => circuit(p, 'github')?.state === 'open', 60_000);
    await eventually('running syncs ended', () => p.worker.running() === 0, 30_000);
    await eventually('no attempt spent', async () =>
      (await rows(p)).every((row) => row.attempts === 0 && row.status === 'retrying'),
    );
    expect(circuit(p, 'onedev')?.state).toBe('closed');
    const [row] = await rows(p);
    expect(row?.last_error).toMatch(/^waiting for GitHub to answer again/);

    p.github.faults.reset();
    await allSynced(p, 30_000);
    await expectMirrored(p, repos);
    expect(circuit(p, 'github')?.state).toBe('closed');

    await stopNotifications?.(5_000);
    stopNotifications = undefined;
    const messages = receiver?.received ?? [];
    expect(messages.map((m) => m.kind)).toEqual(['upstream.unreachable', 'upstream.recovered']);
    expect(messages[0]).toMatchObject({ upstream: 'github' });
    expect(messages[0]?.text).toMatch(/GitHub unreachable since/);
  }, 120_000);

  it('counts a fault of one mirror alone as its attempt: one broken repository is no outage', async () => {
    const p = await start();
    const { record, name } = await starred(p, 'lonely');
    // Every request for this one project fails; nothing else does.
    p.onedev.faults.serverError({ match: ({ path, query }) => `${path}${query}`.includes(name) });
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'alice',
      name,
    });
    await p.deliver('watch', payload);
    await eventually(
      'the mirror failed after its attempts',
      async () => (await rows(p))[0]?.status === 'failed',
      90_000,
    );
    expect((await rows(p))[0]?.attempts).toBe(p.config.sync.maxAttempts);
    expect(circuit(p, 'onedev')).toMatchObject({ state: 'closed', opens: 0 });
  }, 120_000);
});

async function countRuns(p: Pipeline): Promise<number> {
  const rows = await p.handle.db
    .selectFrom('sync_runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(rows.n);
}

describe('the OneDev health check and its circuit', () => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  it('opens the circuit when /health finds OneDev failing, and the probe closes it once OneDev answers', async () => {
    const p = await startPipeline({ dialect: 'sqlite', env: { UPSTREAM_PROBE_INTERVAL: '1s' } });
    pipeline = p;
    p.onedev.faults.badGateway();
    // The check that fails opens the circuit; the components are checked side by side, so
    // the next report shows it.
    await p.app.request('/health');
    const report = (await (await p.app.request('/health')).json()) as {
      status: string;
      components: Record<string, { status: string; message?: string }>;
    };
    expect(report.status).toBe('degraded');
    expect(report.components.onedev?.status).toBe('down');
    expect(report.components.upstreams).toMatchObject({
      status: 'degraded',
      message: expect.stringMatching(/^OneDev unreachable since /),
    });
    const onedev = () => p.services.circuits.views().find((v) => v.upstream === 'onedev');
    expect(onedev()).toMatchObject({ state: 'open', opens: 1 });

    // A webhook while it is open: the mirror is queued, due, and not claimed.
    const record = p.github.addRepo({ owner: 'alice', name: 'queued' });
    await new RepoBuilder(p.github.repoPath('alice', 'queued')).commit('main', {
      files: { a: 'a\n' },
    });
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'alice',
      name: 'queued',
    });
    expect((await p.deliver('watch', payload)).status).toBe(202);
    // The probe asks OneDev's version every second; nothing else is sent to OneDev.
    await eventually(
      'two probes after the health check',
      () => p.onedev.requests.filter((r) => r.path.includes('/~api/version')).length >= 3,
      15_000,
    );
    expect(p.onedev.requests.filter((r) => !r.path.includes('/~api/version'))).toEqual([]);
    const [row] = await p.handle.db.selectFrom('mirrors').selectAll().execute();
    expect(row).toMatchObject({ status: 'queued', attempts: 0 });

    p.onedev.faults.clear();
    const synced = p.nextSync(record.id);
    await eventually('closed by the probe', () => onedev()?.state === 'closed', 10_000);
    expect((await synced).result).toBe('synced');
  }, 60_000);
});
