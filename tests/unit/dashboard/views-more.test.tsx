/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { effectiveSettings } from '../../../src/dashboard/effective-settings.js';
import { ContainerPlanPage } from '../../../src/dashboard/pages/container-plan.js';
import { ContainersPage } from '../../../src/dashboard/pages/containers.js';
import { DeliveriesPage } from '../../../src/dashboard/pages/deliveries.js';
import { SettingsPage } from '../../../src/dashboard/pages/settings.js';
import { renderDocument } from '../../../src/dashboard/render.js';
import { CSRF, EVIL, expectSafe, NOW } from './fixtures.js';

const common = { now: NOW, csrf: CSRF, flash: null };

describe('dashboard views: containers, deliveries, settings', () => {
  it('containers: not configured, and a list with actions', async () => {
    const off = await renderDocument(
      <ContainersPage {...common} containers={[]} restartLabel="restart-after" />,
    );
    expect(off).toContain('Container restarts are not configured');
    const container = {
      id: 'abc123',
      name: 'web',
      image: EVIL,
      state: 'running',
      health: 'healthy',
      follows: [{ repo: 'octocat/hello', branch: 'main' }],
      lastRestart: null,
    };
    const html = await renderDocument(
      <ContainersPage
        {...common}
        engine={{ available: true, engine: 'podman' }}
        containers={[container]}
        restartLabel="restart-after"
      />,
    );
    expectSafe(html);
    expect(html).toContain('octocat/hello@main');
    expect(html).toContain('action="/dashboard/containers/web/restart"');
    expect(html).toContain('action="/dashboard/containers/rebuild"');
    for (const label of ['Start', 'Stop', 'Restart'])
      expect(html).toContain(`${label}<span class="sr-only"> web</span>`);
  });

  it('containers: a held working copy shows a Retry button; the plan view says who restarts and why', async () => {
    const held = {
      id: 'abc123',
      name: 'web',
      image: 'img',
      state: 'running',
      health: null,
      follows: [{ repo: 'octocat/hello' }],
      lastRestart: null,
      heldBack: [
        { repository: 'octocat/hello', badCommit: 'b'.repeat(40), goodCommit: 'a'.repeat(40) },
      ],
    };
    const page = await renderDocument(
      <ContainersPage
        {...common}
        engine={{ available: true, engine: 'podman' }}
        containers={[held]}
        restartLabel="restart-after"
      />,
    );
    expect(page).toContain('action="/dashboard/containers/web/retry"');
    expect(page).toContain(`Rolled back: octocat/hello held on ${'a'.repeat(12)}`);
    expect(page).toContain('href="/dashboard/containers/plan"');

    const plan = await renderDocument(
      <ContainerPlanPage
        csrf={CSRF}
        query={{ repo: 'octocat/hello', branch: '', paths: EVIL }}
        plan={{
          repository: 'octocat/hello',
          branch: 'main',
          files: 'given',
          containers: [
            {
              name: 'db',
              id: 'd',
              included: true,
              reason: 'any change of main',
              wave: 1,
              after: [],
            },
            { name: 'web', id: 'w', included: true, reason: EVIL, wave: 2, after: ['db'] },
            {
              name: 'docs',
              id: 'x',
              included: false,
              reason: 'no given file is under docs/',
              wave: null,
              after: [],
            },
          ],
        }}
      />,
    );
    expectSafe(plan);
    expect(plan).toContain('A change of octocat/hello on main');
    expect(plan).toMatch(
      /<td data-label="Order">2<\/td>\s*<td data-label="Container"><strong>web<\/strong>/,
    );
    expect(plan).toContain('no given file is under docs/');
  });

  it('deliveries: the webhook log', async () => {
    const delivery = {
      id: 'd1',
      deliveryId: 'guid-1',
      event: 'watch',
      action: 'started',
      repository: EVIL,
      outcome: 'queued',
      detail: 'mirror created',
      receivedAt: '2024-05-01T11:59:00.000Z',
    };
    const html = await renderDocument(
      <DeliveriesPage {...common} deliveries={[delivery]} total={1} page={1} pages={1} />,
    );
    expectSafe(html);
    expect(html).toContain('watch.started');
    expect(html).toContain('1 min ago');
  });

  it('settings: secrets masked, webhook URL and events, token reports', async () => {
    const config = loadConfig({
      GITHUB_TOKEN: 'ghp_secret_value',
      ADMIN_TOKEN: 'admin-secret',
      DASHBOARD_PASSWORD: 'pw-secret',
      DATABASE_URL: 'postgres://sb:dbpass@db:5432/sb',
      ONEDEV_URL: 'https://od',
      ONEDEV_TOKEN: 'od-secret',
    });
    const report = { ok: false, summary: EVIL, can: ['act as octocat'], cannot: ['read stars'] };
    const html = await renderDocument(
      <SettingsPage
        {...common}
        settings={effectiveSettings(config)}
        webhook={{
          url: 'https://sb.example/webhooks/github',
          secretSet: true,
          events: ['Pushes'],
          appEvents: ['Installation'],
        }}
        checks={{ github: report }}
      />,
    );
    expectSafe(html);
    for (const secret of ['ghp_secret_value', 'admin-secret', 'pw-secret', 'dbpass', 'od-secret'])
      expect(html).not.toContain(secret);
    expect(html).toContain('postgres://sb:hidden@db:5432/sb');
    expect(html).toContain('https://sb.example/webhooks/github');
    expect(html).toContain('✓ can act as octocat');
    expect(html).toContain('✗ cannot read stars');
  });
});
