import type { ComponentHealth, HealthProbe } from './health.service.js';

/**
 * Reuses a probe's answer for `ms`, so frequent polls of /health and the dashboard do not
 * call a server or start a process each time; concurrent callers share one check in flight.
 */
export function cachedProbe(
  probe: HealthProbe,
  cache: { ms: number; now?: () => number },
): HealthProbe {
  const now = cache.now ?? Date.now;
  let last: { at: number; answer: Promise<ComponentHealth> } | undefined;
  return {
    name: probe.name,
    check() {
      const at = now();
      if (!last || at - last.at >= cache.ms) last = { at, answer: probe.check() };
      return last.answer;
    },
  };
}
