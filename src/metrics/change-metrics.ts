import { Counter, Gauge, type Registry } from 'prom-client';

/** What change detection reports at scrape time (totals since the process started). */
export interface ChangeDetectionReading {
  budgetPerHour: number;
  spentLastHour: number;
  spentTotal: { rest: number; graphql: number };
  hints: { stars: number; graphql: number };
  graphqlRemaining: number | null;
}

/**
 * `starbridge_github_budget_spent_total{kind}`, `starbridge_github_budget_remaining`,
 * `starbridge_change_hints_total{source}` and `starbridge_github_graphql_remaining`, read
 * from change detection at scrape time. Counters move by what grew since the last scrape.
 */
export function changeDetectionMetrics(
  registry: Registry,
  read: (() => ChangeDetectionReading | undefined) | undefined,
): void {
  const seen = { rest: 0, graphql: 0, stars: 0, graphqlHints: 0 };
  new Counter({
    name: 'starbridge_github_budget_spent_total',
    help: 'GitHub REST requests (kind="rest") and GraphQL points (kind="graphql") change detection spent.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const now = read?.();
      if (!now) return;
      this.inc({ kind: 'rest' }, now.spentTotal.rest - seen.rest);
      this.inc({ kind: 'graphql' }, now.spentTotal.graphql - seen.graphql);
      seen.rest = now.spentTotal.rest;
      seen.graphql = now.spentTotal.graphql;
    },
  });
  new Counter({
    name: 'starbridge_change_hints_total',
    help: 'Mirrors asked to sync because change detection saw a push, by where it saw it (stars walk or GraphQL batch).',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      const now = read?.();
      if (!now) return;
      this.inc({ source: 'stars' }, now.hints.stars - seen.stars);
      this.inc({ source: 'graphql' }, now.hints.graphql - seen.graphqlHints);
      seen.stars = now.hints.stars;
      seen.graphqlHints = now.hints.graphql;
    },
  });
  new Gauge({
    name: 'starbridge_github_budget_remaining',
    help: 'What is left of GITHUB_BUDGET_PER_HOUR over the last hour (absent without change detection).',
    registers: [registry],
    collect() {
      const now = read?.();
      this.reset();
      if (now) this.set(Math.max(0, now.budgetPerHour - now.spentLastHour));
    },
  });
  new Gauge({
    name: 'starbridge_github_graphql_remaining',
    help: "GitHub GraphQL points left in the current hour, as GitHub's last answer said (absent until one).",
    registers: [registry],
    collect() {
      const remaining = read?.()?.graphqlRemaining;
      this.reset();
      if (typeof remaining === 'number') this.set(remaining);
    },
  });
}
