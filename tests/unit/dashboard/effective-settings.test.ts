import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../../src/config/config.js';
import { SECRET_VARIABLES } from '../../../src/config/secret-files.js';
import { effectiveSettings } from '../../../src/dashboard/effective-settings.js';

/**
 * Every variable .env.example documents for Starbridge, commented out or not; its last
 * section holds what only the compose file reads (the bundled PostgreSQL, image names).
 */
const EXAMPLE_VARIABLES = [
  ...readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8')
    .split(/^# --- Compose /m)[0]!
    .matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm),
].map((m) => m[1]);

/** A value for every secret, each with the marker `s3cr3t`, so a leak of any of them shows. */
const SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://sb:s3cr3t-1@db:5432/sb',
  GITHUB_TOKEN: 'ghp_s3cr3t-2',
  GITHUB_APP_ID: '123',
  GITHUB_APP_PRIVATE_KEY: '-----BEGIN PRIVATE KEY----- s3cr3t-3',
  GITHUB_WEBHOOK_SECRET: 'hook-s3cr3t-4',
  ONEDEV_URL: 'https://onedev.example',
  ONEDEV_TOKEN: 'onedev-s3cr3t-5',
  ADMIN_TOKEN: 'admin-s3cr3t-6',
  DASHBOARD_PASSWORD_HASH: 'scrypt$131072$8$1$c2FsdA$s3cr3t-7',
  NOTIFY_URL: 'https://hooks.example/services/s3cr3t-8',
  NOTIFY_SECRET: 'notify-s3cr3t-9',
  METRICS_TOKEN: 'metrics-s3cr3t-10',
  KEYS_SECRET: 'keys-s3cr3t-11-0123456789abcdef0123456789',
};

describe('effective settings', () => {
  it('show every configuration variable, one row each', () => {
    const names = effectiveSettings(loadConfig({})).map((row) => row.name);
    expect(names).toEqual([...new Set(names)]);
    expect(new Set(names)).toEqual(new Set(CONFIG_VARIABLES));
    expect(EXAMPLE_VARIABLES.length).toBeGreaterThan(30);
    for (const name of EXAMPLE_VARIABLES) expect(names).toContain(name);
  });

  it('mask every secret and show the rest', () => {
    const rows = effectiveSettings(
      loadConfig({
        ...SECRETS,
        PUBLIC_URL: 'https://starbridge.example',
        TRUST_PROXY: 'true',
        SYNC_LEASE: '2m',
        STARS_MAX_NEW_PER_RUN: '7',
        COMPOSE_COMMAND: 'podman-compose',
        COMPOSE_FILE: '/srv/compose.yml',
      }),
    );
    expect(JSON.stringify(rows)).not.toContain('s3cr3t');
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    for (const name of SECRET_VARIABLES) expect(byName[name]?.secret, name).toBe(true);
    expect(byName.METRICS_TOKEN?.value).toBe('set (hidden)');
    expect(byName.NOTIFY_SECRET?.value).toBe('set (hidden)');
    expect(byName.DASHBOARD_PASSWORD?.value).toBe('not set');
    expect(byName.DATABASE_URL?.value).toBe('postgres://sb:hidden@db:5432/sb');
    expect(byName.PUBLIC_URL?.value).toBe('https://starbridge.example');
    expect(byName.TRUST_PROXY?.value).toBe('true');
    expect(byName.SYNC_LEASE?.value).toBe('2m');
    expect(byName.STARS_MAX_NEW_PER_RUN?.value).toBe('7');
    expect(byName.COMPOSE_COMMAND?.value).toBe('podman-compose');
    expect(byName.COMPOSE_FILE?.value).toBe('/srv/compose.yml');
  });
});
