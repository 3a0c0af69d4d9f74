import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { RESTART_FAILURES } from '../../../src/notify/incidents.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';

const RULES = new URL('../../../docs/prometheus-alerts.yml', import.meta.url).pathname;
const OPERATIONS = new URL('../../../docs/operations.md', import.meta.url).pathname;

/** The text of one `## ` section of a Markdown file, up to the next `## ` heading. */
function section(path: string, heading: string): string {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `${path} has no "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

/** Metric names in backticks (`name` or `name{labels}`); a trailing `*` keeps a prefix. */
function namesIn(markdown: string): string[] {
  return [
    ...markdown.matchAll(/`(?:time\(\) - )?((?:starbridge|process|nodejs)_[a-z0-9_]*\*?)/g),
  ].map((m) => m[1] as string);
}

/** The upgrade note's table: each row's old names (first column) and new names (second). */
function renames(metricsSection: string): Array<{ old: string[]; now: string[] }> {
  const note = metricsSection.slice(metricsSection.indexOf('### Upgrading'));
  return note
    .split('\n')
    .filter(
      (line) => line.startsWith('| ') && !line.startsWith('| 0.1.0') && !line.startsWith('| ---'),
    )
    .map((line) => {
      const [, old = '', now = ''] = line.split('|');
      return { old: namesIn(old), now: namesIn(now) };
    });
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Parsed with PyYAML: podman-compose (which the deployment proof needs anyway) is written in
 * Python and depends on it, so it is present wherever the deployment is tested.
 */
function parseRules(): Rule[] {
  const json = execFileSync(
    'python3',
    ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: readFileSync(RULES) },
  );
  const doc = JSON.parse(String(json)) as { groups: Array<{ name: string; rules: Rule[] }> };
  return doc.groups.flatMap((group) => group.rules);
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'and', 'or', 'unless', 'bool']);

/** The metric names a PromQL expression selects (functions, labels, strings and ranges removed). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\(|[a-zA-Z0-9_:])/g) ?? [];
  return names.filter((name) => !PROMQL_WORDS.has(name));
}

describe('docs/prometheus-alerts.yml', () => {
  let handle: TestDb;
  let exposed: Set<string>;
  beforeAll(async () => {
    handle = await createTestDb('sqlite');
    const text = await createMetrics({ handle, clock: systemClock }).render();
    exposed = new Set(['up']); // Prometheus' own, per scrape target
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exposed.add(name as string);
      if (type === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(`${name}${suffix}`);
    }
  });
  afterAll(() => handle?.destroy());

  it('is valid YAML whose every alert has an expression over metrics Starbridge exposes', () => {
    const rules = parseRules();
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Starbridge[A-Za-z]+$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      const names = metricNames(rule.expr);
      expect(names.length, `${rule.alert} selects no metric`).toBeGreaterThan(0);
      for (const name of names) expect(exposed, `${rule.alert}: ${name}`).toContain(name);
    }
    // promtool checks PromQL syntax too, where it is installed.
    if (!spawnSync('promtool', ['--version']).error) {
      const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    }
  });

  it('agrees with docs/operations.md: every Starbridge metric is documented, every documented one exists', () => {
    const metrics = section(OPERATIONS, 'Metrics and alerts');
    const matches = (name: string, pattern: string) =>
      pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
    const isExposed = (pattern: string) => [...exposed].some((name) => matches(name, pattern));
    const own = [...exposed].filter((name) => name.startsWith('starbridge_'));
    const documented = namesIn(metrics);
    for (const name of own.filter((n) => !/_(bucket|sum|count)$/.test(n))) {
      expect(documented, `${name} is not in docs/operations.md`).toContain(name);
    }
    const table = renames(metrics);
    expect(table.length, 'the upgrade note lists the renamed metrics').toBeGreaterThanOrEqual(2);
    const retired = table.flatMap((row) => row.old);
    for (const row of table) {
      for (const old of row.old) expect(isExposed(old), `${old} is still exposed`).toBe(false);
      for (const now of row.now) expect(isExposed(now), `${now} is not exposed`).toBe(true);
    }
    for (const name of documented.filter((n) => !retired.includes(n))) {
      expect(isExposed(name), `docs/operations.md names ${name}, which is not exposed`).toBe(true);
    }
    // The standard series keep their standard names, so stock Node.js dashboards work.
    expect(exposed).toContain('process_cpu_seconds_total');
    expect(exposed).toContain('nodejs_heap_size_used_bytes');
    for (const rule of parseRules()) {
      for (const old of retired)
        expect(rule.expr.includes(old.replace('*', '')), rule.alert).toBe(false);
    }
  });

  it('alerts on failed container restarts only, not on skipped or removed containers', () => {
    const rule = parseRules().find((r) => r.alert === 'StarbridgeContainerRestartsFailing');
    const matcher = rule?.expr.match(/result=~"([^"]+)"/);
    expect(matcher, rule?.expr).toBeTruthy();
    expect(new Set(matcher?.[1]?.split('|'))).toEqual(new Set(RESTART_FAILURES));
  });
});
