import type { EventEmitter } from 'node:events';
import { runCompose } from '../engine/compose.adapter.js';
import type { ContainerAction, ContainerEngine, EngineContainer } from '../engine/engine.port.js';
import type { EngineAccess } from '../engine/engine-socket.js';
import {
  AppError,
  ConflictError,
  NotConfiguredError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type {
  ContainerService,
  LabelledContainer,
  RetryResult,
} from './container.service.types.js';
import type { ContainerActionLog } from './container-action.js';
import type { ContainerEvents } from './containers.events.js';
import { type RepositoryRestartDeps, restartFollowers } from './repository-restart.js';
import { namesRepository, parseRestartLabel } from './restart-label.js';
import { type PlanRequest, planRestarts } from './restart-plan.js';
import { isSelf, type SelfIdentity } from './self-container.js';
import type { WorkingCopyHold } from './working-copy-holds.repo.js';

export interface ContainerServiceDeps extends RepositoryRestartDeps {
  engine: EngineAccess;
  self: SelfIdentity;
  stopTimeoutSec: number;
  compose?: { command: string[]; file?: string };
  /** `git diff --name-only` between two commits of a bare cache (for a plan's commit range). */
  changedFiles?: (cacheDir: string, from: string, to: string) => Promise<string[] | undefined>;
  /** The mirror behind `owner/name`, for the working copy; undefined when not mirrored. */
  findMirror: (
    fullName: string,
  ) => Promise<{ cacheDir: string; defaultBranch: string | null } | undefined>;
  log: Logger;
  events: EventEmitter<ContainerEvents>;
  /** The durable record of restarts, starts, stops and rebuilds (with their output). */
  actions: ContainerActionLog;
}

/** Labelled containers for the admin API, CLI and dashboard; unlabelled ones do not exist here. */
export function createContainerService(deps: ContainerServiceDeps): ContainerService {
  const log = deps.log.child({ component: 'containers' });

  function engineOrThrow(): ContainerEngine {
    const engine = deps.engine.get();
    if (!engine) throw new UnavailableError(deps.engine.missingReason);
    return engine;
  }

  async function labelled(): Promise<EngineContainer[]> {
    const listed = await engineOrThrow().listLabelled(deps.labelKey);
    // The engine's filter is not trusted: keep only containers that carry the label.
    return listed.filter((c) => c.labels[deps.labelKey] !== undefined);
  }

  async function find(idOrName: string): Promise<EngineContainer> {
    const key = idOrName.trim().replace(/^\//, '').toLowerCase();
    const all = await labelled();
    const prefixed = key.length >= 4 ? all.filter((c) => c.id.startsWith(key)) : [];
    if (prefixed.length > 1) throw new ValidationError(`"${idOrName}" matches several containers`);
    const found = all.find((c) => c.id === key || c.name.toLowerCase() === key) ?? prefixed[0];
    if (!found)
      throw new NotFoundError(`no container "${idOrName}" carries the ${deps.labelKey} label`);
    return found;
  }

  async function act(idOrName: string, action: ContainerAction): Promise<void> {
    const container = await find(idOrName);
    if (action !== 'start' && isSelf(deps.self, container)) {
      throw new ConflictError(
        `${container.name} is Starbridge's own container: it will not ${action} itself`,
      );
    }
    const engine = engineOrThrow();
    if (action === 'restart') {
      const entry = await deps.runner.restart(engine, container);
      if (entry.result === 'gone') throw new NotFoundError(`${container.name} was removed`);
      if (entry.result !== 'restarted') {
        const status = entry.result === 'timeout' ? 504 : 502;
        const message = `restart of ${container.name}: ${entry.result} — ${entry.message}`;
        throw new AppError('Unavailable', message, status);
      }
      return;
    }
    const startedAt = new Date().toISOString();
    const record = (result: 'done' | 'failed', message?: string) =>
      deps.actions.record({
        kind: action,
        container: container.name,
        containerId: container.id,
        result,
        message: message ?? null,
        startedAt,
        finishedAt: new Date().toISOString(),
      });
    try {
      await engine.act(container.id, action, { stopTimeoutSec: deps.stopTimeoutSec });
    } catch (error) {
      await record('failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
    await record('done');
    log.info({ container: container.name, action }, 'container action');
  }

  async function toLabelled(
    engine: ContainerEngine,
    c: EngineContainer,
    lastRestarts: Map<string, LabelledContainer['lastRestart'] & object>,
    holds: WorkingCopyHold[],
  ): Promise<LabelledContainer> {
    const details = await engine.inspect(c.id).catch(() => undefined);
    const follows = parseRestartLabel(c.labels[deps.labelKey] ?? '').follows;
    const heldBack = holds
      .filter((h) => follows.some((f) => namesRepository(f, h.repository)))
      .map(({ repository, badCommit, goodCommit }) => ({ repository, badCommit, goodCommit }));
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: details?.state ?? c.state,
      health: details?.health ?? null,
      follows,
      lastRestart: lastRestarts.get(c.name) ?? null,
      ...(heldBack.length > 0 ? { heldBack } : {}),
    };
  }

  async function restartRepository(fullName: string): Promise<RetryResult['results']> {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(fullName)) {
      throw new ValidationError(`"${fullName}" is not owner/name`);
    }
    const mirror = await deps.findMirror(fullName);
    const entries = await restartFollowers(engineOrThrow(), deps, {
      fullName,
      cacheDir: mirror?.cacheDir,
      defaultBranch: mirror?.defaultBranch ?? null,
    });
    return entries.flatMap((e) =>
      e.kind === 'restart'
        ? [
            {
              container: e.container,
              result: e.result,
              ...(e.message ? { message: e.message } : {}),
            },
          ]
        : [],
    );
  }

  return {
    async status() {
      const engine = deps.engine.get();
      if (!engine) return { available: false, message: deps.engine.missingReason };
      try {
        const info = await engine.info();
        return { available: true, engine: info.engine, apiVersion: info.apiVersion };
      } catch (error) {
        return {
          available: false,
          message: error instanceof Error ? error.message : String(error),
        };
      }
    },
    async list() {
      const engine = engineOrThrow();
      const containers = await labelled();
      const lastRestarts = await deps.actions.latestRestarts(containers.map((c) => c.name));
      const holds = (await deps.rollback?.holds.list()) ?? [];
      const shown = await Promise.all(
        containers.map((c) => toLabelled(engine, c, lastRestarts, holds)),
      );
      return shown.sort((a, b) => a.name.localeCompare(b.name));
    },
    start: (idOrName) => act(idOrName, 'start'),
    stop: (idOrName) => act(idOrName, 'stop'),
    restart: (idOrName) => act(idOrName, 'restart'),
    restartRepository,
    async plan(request) {
      checkPlanRequest(request);
      const containers = await labelled();
      const mirror = await deps.findMirror(request.repository);
      const diff = deps.changedFiles;
      if (request.range && (!mirror?.cacheDir || !diff)) {
        throw new NotFoundError(
          `${request.repository} is not mirrored here: a commit range needs its cache`,
        );
      }
      const changedFiles =
        mirror?.cacheDir && diff
          ? (from: string, to: string) => diff(mirror.cacheDir, from, to)
          : undefined;
      const plan = await planRestarts(request, {
        labelKey: deps.labelKey,
        containers,
        isSelf: (c) => isSelf(deps.self, c),
        defaultBranch: mirror?.defaultBranch ?? null,
        ...(changedFiles ? { changedFiles } : {}),
      });
      const hold = await deps.rollback?.holds.get(request.repository);
      return hold
        ? { ...plan, heldBack: { badCommit: hold.badCommit, goodCommit: hold.goodCommit } }
        : plan;
    },
    async retry(idOrName) {
      const container = await find(idOrName);
      const follows = parseRestartLabel(container.labels[deps.labelKey] ?? '').follows;
      const held = ((await deps.rollback?.holds.list()) ?? []).filter((h) =>
        follows.some((f) => namesRepository(f, h.repository)),
      );
      if (held.length === 0) {
        throw new ConflictError(
          `nothing to retry: no working copy that ${container.name} follows was rolled back`,
        );
      }
      const results: RetryResult['results'] = [];
      for (const hold of held) {
        await deps.rollback?.holds.clear(hold.repository);
        log.info({ repo: hold.repository, container: container.name }, 'rollback hold lifted');
        results.push(...(await restartRepository(hold.repository)));
      }
      return { repositories: held.map((h) => h.repository), results };
    },
    async rebuild(service) {
      if (!deps.compose)
        throw new NotConfiguredError(
          'set COMPOSE_COMMAND (e.g. podman-compose or docker compose) to rebuild',
        );
      if (service !== undefined) await checkRebuildable(service, await labelled(), deps.labelKey);
      const run = await runCompose(deps.compose, service);
      await deps.actions.record({
        kind: 'rebuild',
        container: service ?? null,
        result: run.exitCode === 0 ? 'succeeded' : 'failed',
        message: run.command.join(' '),
        output: run.output,
        exitCode: run.exitCode,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
      });
      log[run.exitCode === 0 ? 'info' : 'warn'](
        { command: run.command, exitCode: run.exitCode, output: run.output },
        'compose rebuild',
      );
      return { exitCode: run.exitCode, output: run.output };
    },
    actions: (filter) => deps.actions.list(filter),
  };
}

function checkPlanRequest(request: PlanRequest): void {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(request.repository)) {
    throw new ValidationError(`repo: "${request.repository}" is not owner/name`);
  }
  if (request.branch !== undefined && !/^[^\s@,~^:?*[\\]+$/.test(request.branch)) {
    throw new ValidationError(`branch: "${request.branch}" is not a branch name`);
  }
  for (const commit of request.range ? [request.range.from, request.range.to] : []) {
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new ValidationError(`from/to: "${commit}" is not a full commit id (40 hex digits)`);
    }
  }
}

/** Only a compose service whose containers carry the label may be rebuilt by name. */
async function checkRebuildable(
  service: string,
  containers: EngineContainer[],
  labelKey: string,
): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service))
    throw new ValidationError(`"${service}" is not a compose service name`);
  const known = containers.some(
    (c) =>
      c.labels['com.docker.compose.service'] === service ||
      c.labels['io.podman.compose.service'] === service,
  );
  if (!known)
    throw new NotFoundError(
      `no container of compose service "${service}" carries the ${labelKey} label`,
    );
}
