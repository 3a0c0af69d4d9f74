import type { HealthProbe } from '../health/health.service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createUpstreamCircuits, type UpstreamCircuits } from '../upstreams/upstream-circuits.js';
import { upstreamsHealthProbe } from '../upstreams/upstreams.health.js';

/** The upstream circuits with their probes, and their `/health` component. */
export function wireUpstreams(deps: {
  clock: Clock;
  log: Logger;
  circuitThreshold: number;
  probeIntervalMs: number;
  /** OneDev's version endpoint; undefined when OneDev is not configured. */
  onedevProbe?: () => Promise<unknown>;
  /** GitHub's `GET /rate_limit`. */
  githubProbe: () => Promise<unknown>;
}): { circuits: UpstreamCircuits; healthProbe: HealthProbe } {
  const circuits = createUpstreamCircuits({
    clock: deps.clock,
    log: deps.log,
    settings: {
      threshold: deps.circuitThreshold,
      minMirrors: 2,
      probeIntervalMs: deps.probeIntervalMs,
    },
    probes: { onedev: deps.onedevProbe, github: deps.githubProbe },
  });
  return { circuits, healthProbe: upstreamsHealthProbe(circuits) };
}
