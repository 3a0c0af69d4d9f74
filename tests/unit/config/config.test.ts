import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

function problemsOf(env: Record<string, string>, readFile?: (p: string) => string): string[] {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every documented default from an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      shutdownGraceMs: 30_000,
      trustProxy: false,
    });
    expect(config.db).toEqual({ dialect: 'sqlite', path: './data/starbridge.db' });
    expect(config.dataDir).toBe('./data');
    expect(config.logLevel).toBe('info');
    expect(config.github.apiUrl).toBe('https://api.github.com');
    expect(config.github.gitUrl).toBe('https://github.com');
    expect(config.github.starsPollIntervalMs).toBe(300_000);
    expect(config.github.refreshIntervalMs).toBe(3_600_000);
    expect(config.onedev).toBeUndefined();
    expect(config.unstar).toEqual({ policy: 'keep', graceMs: 7 * 86_400_000 });
    expect(config.sync).toEqual({
      concurrency: 4,
      maxAttempts: 10,
      leaseMs: 60_000,
      quickRetries: 5,
    });
    expect(config.containers).toEqual({
      socket: undefined,
      socketCandidates: ['/run/podman/podman.sock', '/var/run/docker.sock'],
      restartLabel: 'restart-after',
      checkoutDir: undefined,
      debounceMs: 10_000,
      waitMs: 60_000,
      health: { samples: 3, intervalMs: 5_000 },
      rollback: true,
      parallel: 4,
      compose: undefined,
    });
    expect(Object.isFrozen(config.github)).toBe(true);
  });

  it('reads PostgreSQL, OneDev and durations', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://sb:pw@db:5432/starbridge',
      ONEDEV_URL: 'https://onedev.example.com/',
      ONEDEV_TOKEN: 'tok',
      ONEDEV_ROOT_PROJECT: 'mirrors/github',
      STARS_POLL_INTERVAL: '90s',
      UNSTAR_GRACE: '1h',
      SYNC_CONCURRENCY: '8',
    });
    expect(config.db).toEqual({ dialect: 'postgres', url: 'postgres://sb:pw@db:5432/starbridge' });
    expect(config.onedev).toEqual({
      url: 'https://onedev.example.com',
      token: 'tok',
      rootProject: 'mirrors/github',
    });
    expect(config.github.starsPollIntervalMs).toBe(90_000);
    expect(config.unstar.graceMs).toBe(3_600_000);
    expect(config.sync.concurrency).toBe(8);
  });

  it('reads SYNC_QUICK_RETRIES from 0 (off) to 10 and says what it accepts', () => {
    expect(loadConfig({ SYNC_QUICK_RETRIES: '0' }).sync.quickRetries).toBe(0);
    expect(loadConfig({ SYNC_QUICK_RETRIES: '10' }).sync.quickRetries).toBe(10);
    for (const value of ['11', '-1', 'many', '2.5']) {
      expect(problemsOf({ SYNC_QUICK_RETRIES: value })).toEqual([
        `SYNC_QUICK_RETRIES: "${value}" is not a whole number from 0 to 10`,
      ]);
    }
  });

  it('reads the upstream circuit settings, with defaults, and says what it accepts', () => {
    expect(loadConfig({}).upstreams).toEqual({ circuitThreshold: 3, probeIntervalMs: 5_000 });
    expect(
      loadConfig({ UPSTREAM_CIRCUIT_THRESHOLD: '6', UPSTREAM_PROBE_INTERVAL: '30s' }).upstreams,
    ).toEqual({ circuitThreshold: 6, probeIntervalMs: 30_000 });
    expect(problemsOf({ UPSTREAM_CIRCUIT_THRESHOLD: '1' })).toEqual([
      'UPSTREAM_CIRCUIT_THRESHOLD: must be at least 2 (the faults must come from two mirrors)',
    ]);
    expect(problemsOf({ UPSTREAM_CIRCUIT_THRESHOLD: 'lots' })).toEqual([
      'UPSTREAM_CIRCUIT_THRESHOLD: "lots" is not a whole number of at least 1',
    ]);
    expect(problemsOf({ UPSTREAM_PROBE_INTERVAL: '5' })[0]).toMatch(
      /^UPSTREAM_PROBE_INTERVAL: "5" is not a duration/,
    );
  });

  it('reads HISTORY_KEEP (a duration or forever, 90d by default) and MIRROR_WIKIS (on by default)', () => {
    expect(loadConfig({}).history).toEqual({ keepMs: 90 * 86_400_000 });
    expect(loadConfig({ HISTORY_KEEP: '12h' }).history).toEqual({ keepMs: 12 * 3_600_000 });
    expect(loadConfig({ HISTORY_KEEP: 'forever' }).history).toEqual({ keepMs: null });
    expect(problemsOf({ HISTORY_KEEP: '90' })).toEqual([
      'HISTORY_KEEP: "90" is not a retention; use a duration such as 30d or 12h, or forever',
    ]);
    expect(loadConfig({}).wikis).toEqual({ enabled: true });
    expect(loadConfig({ MIRROR_WIKIS: 'false' }).wikis).toEqual({ enabled: false });
    expect(problemsOf({ MIRROR_WIKIS: 'no' })).toEqual(['MIRROR_WIKIS: must be true or false']);
  });

  it('treats an empty ONEDEV_ROOT_PROJECT as the root and an empty CONTAINER_SOCKET as off', () => {
    const config = loadConfig({
      ONEDEV_URL: 'http://od',
      ONEDEV_TOKEN: 't',
      ONEDEV_ROOT_PROJECT: '',
      CONTAINER_SOCKET: '',
    });
    expect(config.onedev?.rootProject).toBe('');
    expect(config.containers.socket).toBeNull();
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      DATABASE_URL: 'foo',
      PORT: 'abc',
      STARS_POLL_INTERVAL: '5',
      LOG_LEVEL: 'loud',
      UNSTAR_POLICY: 'archive',
      ONEDEV_URL: 'ftp://x',
      SYNC_CONCURRENCY: '0',
      GITHUB_APP_ID: '12',
      DASHBOARD_PASSWORD: 'a',
      DASHBOARD_PASSWORD_HASH: 'scrypt$x',
    });
    const named = problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'PORT',
        'STARS_POLL_INTERVAL',
        'LOG_LEVEL',
        'UNSTAR_POLICY',
        'ONEDEV_URL',
        'SYNC_CONCURRENCY',
        'ONEDEV_TOKEN',
        'GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY',
        'DASHBOARD_PASSWORD, DASHBOARD_PASSWORD_HASH',
      ]),
    );
    expect(problems.find((p) => p.startsWith('STARS_POLL_INTERVAL'))).toMatch(/90s, 5m, 1h or 7d/);
  });

  it('refuses credentials inside ONEDEV_URL and invalid root project names', () => {
    const problems = problemsOf({
      ONEDEV_URL: 'https://u:p@od.example',
      ONEDEV_TOKEN: 't',
      ONEDEV_ROOT_PROJECT: '.hidden',
    });
    expect(problems.join('\n')).toMatch(/ONEDEV_URL: must not contain credentials/);
    expect(problems.join('\n')).toMatch(
      /ONEDEV_ROOT_PROJECT: ".hidden" is not a valid OneDev project name/,
    );
  });

  it('reads secrets from NAME_FILE variables and trims the final newline', () => {
    const files: Record<string, string> = {
      '/run/secrets/gh': 'ghp_abc\n',
      '/run/secrets/hook': 'hooksecret',
    };
    const config = loadConfig(
      { GITHUB_TOKEN_FILE: '/run/secrets/gh', GITHUB_WEBHOOK_SECRET_FILE: '/run/secrets/hook' },
      (path) => {
        const content = files[path];
        if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return content;
      },
    );
    expect(config.github.token).toBe('ghp_abc');
    expect(config.github.webhookSecret).toBe('hooksecret');
  });

  it('reports unreadable secret files and secrets given twice', () => {
    const problems = problemsOf(
      { ADMIN_TOKEN_FILE: '/nope', ONEDEV_TOKEN: 'a', ONEDEV_TOKEN_FILE: '/x' },
      () => {
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      },
    );
    expect(problems).toContain('ADMIN_TOKEN_FILE: cannot read /nope (ENOENT)');
    expect(problems).toContain('ONEDEV_TOKEN, ONEDEV_TOKEN_FILE: set only one of them');
  });

  it('never echoes a secret-capable URL value in its messages', () => {
    const problems = problemsOf({ NOTIFY_URL: 'not a url with hunter2' });
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).toMatch(/^NOTIFY_URL: /);
  });
  it('turns the mirror guard on by default, off with ONEDEV_GUARD=off, and refuses other values', () => {
    const base = { ONEDEV_URL: 'https://onedev.example.com', ONEDEV_TOKEN: 't' };
    expect(loadConfig(base).guard).toEqual({ enabled: true });
    expect(loadConfig({ ...base, ONEDEV_GUARD: 'off' }).guard).toEqual({ enabled: false });
    expect(() => loadConfig({ ...base, ONEDEV_GUARD: 'yes' })).toThrow(
      /ONEDEV_GUARD: must be on or off/,
    );
  });
});
