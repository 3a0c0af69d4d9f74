/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { describe, expect, it } from 'vitest';
import { OverviewPage } from '../../../src/dashboard/pages/overview.js';
import { renderDocument } from '../../../src/dashboard/render.js';
import type { HealthReport } from '../../../src/health/health.service.js';
import { createLogger } from '../../../src/shared/logger.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { createUpstreamCircuits } from '../../../src/upstreams/upstream-circuits.js';
import { upstreamsHealthProbe } from '../../../src/upstreams/upstreams.health.js';
import { CSRF, EVIL, expectSafe } from './fixtures.js';

describe('the overview banner for an upstream outage', () => {
  it('shows one banner per open circuit, from the health report, and none when closed', async () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    const circuits = createUpstreamCircuits({
      clock: { now: () => now },
      log: createLogger({ level: 'silent' }),
      settings: { threshold: 3, minMirrors: 2, probeIntervalMs: 5_000 },
      probes: {},
    });
    const probe = upstreamsHealthProbe(circuits);
    const page = async () => {
      const health: HealthReport = {
        status: 'ok',
        components: { upstreams: await probe.check() },
      };
      return renderDocument(
        <OverviewPage now={now} csrf={CSRF} counts={{}} failures={[]} health={health} />,
      );
    };
    expect(await page()).not.toContain('unreachable</strong>');

    circuits.checked('onedev', new UpstreamError('onedev_unavailable', EVIL, { retryable: true }));
    const html = await page();
    expectSafe(html);
    expect(html).toContain('role="alert"');
    expect(html).toContain('<strong>OneDev unreachable</strong>');
    expect(html).toContain('Syncs wait without');
    expect(html).not.toContain('<strong>GitHub unreachable</strong>');
    circuits.stop();
  });
});
