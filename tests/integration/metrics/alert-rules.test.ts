import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { RESTART_FAILURES } from '../../../src/notify/incidents.js';
import { systemClock } from '../../../src/shared/clock.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';

const RULES = new URL('../../../docs/prometheus-alerts.yml', import.meta.url).pathname;

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

  it('alerts on failed container restarts only, not on skipped or removed containers', () => {
    const rule = parseRules().find((r) => r.alert === 'StarbridgeContainerRestartsFailing');
    const matcher = rule?.expr.match(/result=~"([^"]+)"/);
    expect(matcher, rule?.expr).toBeTruthy();
    expect(new Set(matcher?.[1]?.split('|'))).toEqual(new Set(RESTART_FAILURES));
  });
});
