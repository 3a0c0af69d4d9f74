import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { integrationProbes } from '../../../src/health/integrations.js';

describe('integration probes', () => {
  it('reuse a deep check for the cache period, then check again', async () => {
    let now = 0;
    let calls = 0;
    const config = loadConfig({ ONEDEV_URL: 'https://onedev.test', ONEDEV_TOKEN: 'od' });
    const probes = integrationProbes(config, {
      onedevVersion: async () => {
        calls += 1;
        return `16.5.${calls}`;
      },
      cacheMs: 10_000,
      now: () => now,
    });
    const onedev = probes.find((p) => p.name === 'onedev');
    await Promise.all([onedev?.check(), onedev?.check()]);
    now = 9_999;
    expect(await onedev?.check()).toEqual({ status: 'ok', version: '16.5.1' });
    expect(calls).toBe(1);
    now = 10_000;
    expect(await onedev?.check()).toEqual({ status: 'ok', version: '16.5.2' });
  });

  it('say which variables turn an unconfigured integration on', async () => {
    const probes = integrationProbes(loadConfig({}), {});
    const onedev = await probes.find((p) => p.name === 'onedev')?.check();
    expect(onedev).toEqual({
      status: 'not_configured',
      message: 'set ONEDEV_URL and ONEDEV_TOKEN to mirror into OneDev',
    });
    expect(probes.filter((p) => p.name === 'onedev')).toHaveLength(1);
  });
});
