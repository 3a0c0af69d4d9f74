import type { EngineContainer } from '../engine/engine.port.js';

/** Compose's label on each container of a project: the services it depends on. */
export const DEPENDS_ON_LABEL = 'com.docker.compose.depends_on';
const SERVICE_LABELS = ['com.docker.compose.service', 'io.podman.compose.service'];
const PROJECT_LABELS = ['com.docker.compose.project', 'io.podman.compose.project'];

/** One follower's place in the order: what it waits for, and why. */
export interface OrderedFollower<T extends EngineContainer = EngineContainer> {
  container: T;
  /** Names of the followers (in this restart) that must pass their health wait first. */
  after: string[];
}

/**
 * The services a container depends on, from compose's label. Its value is a comma-separated
 * list of `service:condition:restart` entries (see docs/containers.md#restart-order), e.g.
 * `db:service_healthy:false,cache:service_started:false`; older versions write the bare
 * service names. Only the service name matters here.
 */
export function composeDependencies(labels: Record<string, string>): string[] {
  const value = labels[DEPENDS_ON_LABEL] ?? '';
  return value
    .split(',')
    .map((entry) => entry.split(':')[0]?.trim() ?? '')
    .filter((service) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service));
}

/** `<label>.order`: a whole number; lower restarts first. Absent or not a number: no order. */
export function orderNumber(labels: Record<string, string>, labelKey: string): number | undefined {
  const text = labels[`${labelKey}.order`]?.trim() ?? '';
  return /^-?\d{1,6}$/.test(text) ? Number(text) : undefined;
}

const first = (labels: Record<string, string>, keys: string[]) =>
  keys.map((k) => labels[k]).find((v) => v !== undefined && v !== '');

/**
 * What each follower waits for: the followers of its compose project it `depends_on`, and
 * the followers with a lower `<label>.order`. Dependencies outside this restart (a
 * database that follows no repository) are not waited for: they are not restarted.
 */
export function dependenciesOf<T extends EngineContainer>(
  containers: T[],
  labelKey: string,
): OrderedFollower<T>[] {
  return containers.map((container) => {
    const after = new Set<string>();
    const project = first(container.labels, PROJECT_LABELS);
    for (const service of composeDependencies(container.labels)) {
      for (const other of containers) {
        if (other === container) continue;
        const sameProject =
          project === undefined || first(other.labels, PROJECT_LABELS) === project;
        if (sameProject && first(other.labels, SERVICE_LABELS) === service) after.add(other.name);
      }
    }
    const mine = orderNumber(container.labels, labelKey);
    if (mine !== undefined) {
      for (const other of containers) {
        const theirs = orderNumber(other.labels, labelKey);
        if (other !== container && theirs !== undefined && theirs < mine) after.add(other.name);
      }
    }
    return { container, after: [...after].sort() };
  });
}

/**
 * Waves of followers: each wave only after every follower it depends on restarted in an
 * earlier wave. A cycle cannot be ordered: its members go together in a last wave.
 */
export function restartWaves<T extends EngineContainer>(
  ordered: OrderedFollower<T>[],
): OrderedFollower<T>[][] {
  const waves: OrderedFollower<T>[][] = [];
  const placed = new Set<string>();
  let left = [...ordered];
  while (left.length > 0) {
    const ready = left.filter((f) => f.after.every((name) => placed.has(name)));
    const wave = ready.length > 0 ? ready : left;
    waves.push(wave);
    for (const f of wave) placed.add(f.container.name);
    left = left.filter((f) => !wave.includes(f));
  }
  return waves;
}

/** Runs `work` over `items` with at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}
