import { AppError } from '../shared/errors.js';
import type {
  ContainerService,
  LabelledContainer,
  PlanRequest,
} from './container.service.types.js';

export const CONTAINERS_USAGE = `usage: starbridge containers [list]
       starbridge containers start|stop|restart <container id or name>
       starbridge containers restart --repo <owner/name>
       starbridge containers retry <container id or name>
       starbridge containers plan <owner/name> [--branch B] [--paths a,b/ | --from C1 --to C2]
       starbridge containers rebuild [compose service]`;

export interface ContainersCommandDeps {
  /** The same service as the admin API: only labelled containers can be touched. */
  service: ContainerService;
  out: (line: string) => void;
}

/**
 * `starbridge containers`: the labelled containers; start, stop or restart one of them;
 * restart all followers of a repository; or rebuild with the compose command. The same
 * service as the admin API, so only labelled containers can be touched. Exit 0; 1 when
 * the engine, an action or the rebuild failed; 64 on bad usage.
 */
export async function containersCommand(
  args: string[],
  deps: ContainersCommandDeps,
): Promise<number> {
  try {
    return await dispatch(args, deps.service, deps.out);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    deps.out(`starbridge containers: ${error.message}`);
    return 1;
  }
}

async function dispatch(
  args: string[],
  service: ContainerService,
  out: (line: string) => void,
): Promise<number> {
  const [sub = 'list', ...rest] = args;
  if (sub === 'list' && rest.length === 0) {
    const status = await service.status();
    if (!status.available) {
      out(`container engine: unavailable — ${status.message}`);
      return 1;
    }
    out(`container engine: ${status.engine} (API ${status.apiVersion})`);
    for (const line of table(await service.list())) out(line);
    return 0;
  }
  if (sub === 'restart' && rest[0] === '--repo' && rest[1] && rest.length === 2) {
    const results = await service.restartRepository(rest[1]);
    if (results.length === 0) out(`no container follows ${rest[1]}`);
    for (const r of results)
      out(`${r.container}: ${r.result}${r.message ? ` — ${r.message}` : ''}`);
    return results.every((r) => r.result === 'restarted') ? 0 : 1;
  }
  if (sub === 'plan' && rest[0] && !rest[0].startsWith('-')) {
    const request = planArgs(rest);
    if (request) return plan(service, request, out);
  }
  if (sub === 'retry' && rest.length === 1 && rest[0] && !rest[0].startsWith('-')) {
    return retry(service, rest[0], out);
  }
  if (isContainerAction(sub) && rest.length === 1 && rest[0] && !rest[0].startsWith('-')) {
    await service[sub](rest[0]);
    out(`${rest[0]}: ${PAST[sub]}`);
    return 0;
  }
  if (sub === 'rebuild' && rest.length <= 1 && !rest[0]?.startsWith('-')) {
    const run = await service.rebuild(rest[0]);
    if (run.output.trim()) out(run.output.trimEnd());
    out(`rebuild of ${rest[0] ?? 'all services'}: exit ${run.exitCode}`);
    return run.exitCode === 0 ? 0 : 1;
  }
  out(CONTAINERS_USAGE);
  return 64;
}

/** `owner/name` then `--flag value` pairs; undefined on anything else (usage). */
function planArgs(args: string[]): PlanRequest | undefined {
  const [repository, ...flags] = args;
  const values: Record<string, string> = {};
  for (let i = 0; i < flags.length; i += 2) {
    const flag = flags[i]?.replace(/^--/, '') ?? '';
    const value = flags[i + 1];
    if (!['branch', 'paths', 'from', 'to'].includes(flag) || value === undefined) return undefined;
    values[flag] = value;
  }
  if ((values.from === undefined) !== (values.to === undefined)) return undefined;
  const paths = values.paths
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    repository: repository ?? '',
    ...(values.branch ? { branch: values.branch } : {}),
    ...(paths ? { paths } : {}),
    ...(values.from && values.to ? { range: { from: values.from, to: values.to } } : {}),
  };
}

async function plan(
  service: ContainerService,
  request: PlanRequest,
  out: (line: string) => void,
): Promise<number> {
  if (!service.plan) {
    out('starbridge containers: restart plans are not available here');
    return 1;
  }
  const result = await service.plan(request);
  out(`a change of ${result.repository} on ${result.branch ?? '?'} would restart:`);
  const included = result.containers.filter((c) => c.included);
  if (included.length === 0) out('  nothing');
  for (const c of included) {
    const after = c.after.length > 0 ? ` after ${c.after.join(', ')}` : '';
    out(`  ${c.wave}. ${c.name}${after} — ${c.reason}`);
  }
  const left = result.containers.filter((c) => !c.included);
  if (left.length > 0) out('not restarted:');
  for (const c of left) out(`  ${c.name} — ${c.reason}`);
  if (result.heldBack) {
    const { goodCommit, badCommit } = result.heldBack;
    out(
      `working copy held on ${goodCommit.slice(0, 12)} after a rollback (failed on ${badCommit.slice(0, 12)})`,
    );
  }
  return 0;
}

async function retry(
  service: ContainerService,
  idOrName: string,
  out: (line: string) => void,
): Promise<number> {
  if (!service.retry) {
    out('starbridge containers: rollbacks are not available here');
    return 1;
  }
  const done = await service.retry(idOrName);
  out(`moved forward: ${done.repositories.join(', ')}`);
  for (const r of done.results)
    out(`${r.container}: ${r.result}${r.message ? ` — ${r.message}` : ''}`);
  return done.results.every((r) => r.result === 'restarted') ? 0 : 1;
}

const PAST = { start: 'started', stop: 'stopped', restart: 'restarted' } as const;

function isContainerAction(sub: string): sub is keyof typeof PAST {
  return Object.hasOwn(PAST, sub);
}

function table(containers: LabelledContainer[]): string[] {
  if (containers.length === 0) return ['no container carries the restart label'];
  const rows = containers.map((c) => [
    c.name,
    c.health ? `${c.state} (${c.health})` : c.state,
    c.follows.map((f) => (f.branch ? `${f.repo}@${f.branch}` : f.repo)).join(', '),
    c.image,
  ]);
  const header = ['NAME', 'STATE', 'FOLLOWS', 'IMAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
