import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config/config.js';
import type { LedgerEntry } from '../../../src/containers/containers.events.js';
import type { SelfIdentity } from '../../../src/containers/self-container.js';
import type { Dialect } from '../../../src/db/database.js';
import { buildServices } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import type { RefChange } from '../../../src/sync/run.js';
import { listRuns, startRun } from '../../../src/sync/runs.repo.js';
import type { SyncFinishedEvent, SyncWorkerEvents } from '../../../src/sync/sync.events.js';
import type { ContainersFeature } from '../../../src/wiring/containers.js';
import { createTestDb, type TestDb } from '../../support/test-db.js';

export const NOBODY: SelfIdentity = { hostname: 'not-a-container', ids: new Set() };

export const moved = (ref: string, kind: RefChange['kind'] = 'updated'): RefChange => ({
  ref,
  kind,
  old: kind === 'created' ? null : 'a'.repeat(40),
  new: 'b'.repeat(40),
});

export interface Kit {
  handle: TestDb;
  feature: ContainersFeature;
  /** Stands in for the sync worker's emitter, with its event types. */
  worker: EventEmitter<SyncWorkerEvents>;
  logs: string[];
  dataDir: string;
  /** Records a run of `fullName` and emits its `sync:finished`; returns the run id. */
  sync(fullName: string, refs: RefChange[], result?: SyncFinishedEvent['result']): Promise<string>;
  ledger(runId: string): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

/** The container feature on a real database, fed `sync:finished` events like the worker's. */
export async function startKit(options: {
  dialect: Dialect;
  env: Record<string, string>;
  self?: SelfIdentity;
  defaultBranch?: string;
  /** Keep working copies in `<dataDir>/checkouts`. */
  checkouts?: boolean;
}): Promise<Kit> {
  const handle = await createTestDb(options.dialect);
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-containers-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    RESTART_DEBOUNCE: '300ms',
    RESTART_HEALTH_INTERVAL: '50ms',
    ...(options.checkouts ? { CHECKOUT_DIR: join(dataDir, 'checkouts') } : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _e, done) {
        logs.push(String(chunk));
        done();
      },
    }) as never,
  });
  const services = buildServices(config, log, handle, {
    containers: {
      stopTimeoutSec: 1,
      requestTimeoutMs: 1_500,
      pollMs: 50,
      self: options.self ?? NOBODY,
    },
  });
  const { mirrors, containers: feature } = services;
  const worker = new EventEmitter<SyncWorkerEvents>();
  worker.on('sync:finished', feature.onSyncFinished);
  const ids = new Map<string, number>();
  return {
    handle,
    feature,
    worker,
    logs,
    dataDir,
    async sync(fullName, refs, result = 'synced') {
      let githubId = ids.get(fullName);
      if (githubId === undefined) {
        githubId = 1000 + ids.size;
        ids.set(fullName, githubId);
        const [owner = '', name = ''] = fullName.split('/');
        const defaultBranch = options.defaultBranch ?? 'main';
        await mirrors.ensureMirror(
          { githubId, owner, name, private: false, defaultBranch },
          'manual',
        );
      }
      const run = randomUUID();
      const startedAt = new Date().toISOString();
      await startRun(handle.db, {
        id: run,
        githubId,
        trigger: 'request',
        attempt: 1,
        worker: 'test',
        startedAt,
      });
      const common = { githubId, fullName, run, durationMs: 5 };
      worker.emit('sync:finished', finishedEvent(common, result, refs, options.defaultBranch));
      return run;
    },
    async ledger(runId) {
      const githubId = [...ids.values()];
      for (const id of githubId) {
        const run = (await listRuns(handle.db, id)).find((r) => r.id === runId);
        if (run) return run.containers as LedgerEntry[];
      }
      throw new Error(`no run ${runId}`);
    },
    async close() {
      await feature.stop(1_000);
      await handle.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `sync:finished` event the worker would send for a run ending in `result`. */
function finishedEvent(
  common: { githubId: number; fullName: string; run: string; durationMs: number },
  result: SyncFinishedEvent['result'],
  refs: RefChange[],
  defaultBranch = 'main',
): SyncFinishedEvent {
  switch (result) {
    case 'synced':
    case 'unchanged':
    case 'empty':
      return { ...common, result, detail: detail(refs, defaultBranch) };
    case 'aborted':
      return { ...common, result, error: 'boom' };
    default:
      return { ...common, result, error: 'boom', errorCode: 'git_network' };
  }
}

function detail(refs: RefChange[], defaultBranch: string) {
  return {
    result: refs.length > 0 ? ('synced' as const) : ('unchanged' as const),
    refs,
    pushedRefs: {},
    defaultBranch,
    onedev: { name: 'x', path: 'github/x', projectId: 1 },
  };
}

/** The restart entries of a ledger, as `name:result`. */
export function restarts(entries: LedgerEntry[]): string[] {
  return entries
    .flatMap((e) => (e.kind === 'restart' ? [`${e.container}:${e.result}`] : []))
    .sort();
}
