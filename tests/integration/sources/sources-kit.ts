import type { Hono } from 'hono';
import type { Dialect } from '../../../src/db/database.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { SourcesFeature } from '../../../src/wiring/sources.js';
import { type Pipeline, startPipeline, WEBHOOK_SECRET } from '../../support/pipeline.js';
import { webhookRequest } from '../../support/webhooks.js';

export interface SourcesPipeline extends Pipeline {
  sources: SourcesFeature;
  /** The HTTP app with the sources wired into the webhook service. */
  hooks: Hono;
  send(event: string, payload: unknown): Promise<Response>;
  alerts: Array<{ kind: string; message: string }>;
  /** Waits until `n` mirrors are synced (and none is queued or syncing). */
  waitSynced(n: number, timeoutMs?: number): Promise<void>;
  row(githubId: number): Promise<Record<string, unknown> | undefined>;
}

/** The whole pipeline (doubles, real git, both databases) plus the GitHub sources. */
export async function startSourcesPipeline(options: {
  dialect: Dialect;
  env?: Record<string, string>;
  clock?: Clock;
  owner?: string;
  onedevToken?: string;
  /** The refresh's jitter source; 0.5 (no jitter) unless given, so slots are exact. */
  random?: () => number;
}): Promise<SourcesPipeline> {
  const pipeline = await startPipeline({
    dialect: options.dialect,
    onedevToken: options.onedevToken,
    env: options.env,
    clock: options.clock,
    scheduler: {
      owner: options.owner ?? 'replica-a',
      checkEveryMs: 100,
      random: options.random ?? (() => 0.5),
    },
  });
  const { sources } = pipeline.services;
  const alerts: Array<{ kind: string; message: string }> = [];
  sources.events.on('alert', (a) => alerts.push(a));
  const hooks = pipeline.app;
  return {
    ...pipeline,
    sources,
    hooks,
    alerts,
    async send(event, payload) {
      const request = webhookRequest({ event, payload, secret: WEBHOOK_SECRET });
      return hooks.request('/webhooks/github', {
        method: 'POST',
        body: request.body,
        headers: request.headers,
      });
    },
    async waitSynced(n, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await pipeline.mirrors.summary(0);
        const busy = (counts.counts.queued ?? 0) + (counts.counts.syncing ?? 0);
        if ((counts.counts.synced ?? 0) >= n && busy === 0) return;
        if (Date.now() > deadline)
          throw new Error(`not synced in time: ${JSON.stringify(counts.counts)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    row: (githubId) =>
      pipeline.handle.db
        .selectFrom('mirrors')
        .selectAll()
        .where('github_id', '=', githubId)
        .executeTakeFirst(),
    close: () => pipeline.close(),
  };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}
