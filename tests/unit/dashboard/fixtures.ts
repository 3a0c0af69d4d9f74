import { expect } from 'vitest';
import type { Mirror } from '../../../src/mirrors/mirror.js';
import type { SyncRun } from '../../../src/sync/run.js';

export const NOW = new Date('2024-05-01T12:00:00.000Z');
export const CSRF = 'csrf-token-fixture';
export const EVIL = '<script>alert("x")</script>';

/** Built loosely and cast: the Mirror type gains fields as other features land. */
export function mirror(patch: Partial<Mirror> = {}): Mirror {
  const base = {
    githubId: 101,
    fullName: 'octocat/hello',
    owner: 'octocat',
    name: 'hello',
    status: 'synced',
    source: 'star',
    starred: true,
    private: false,
    onedevPath: 'github/octocat/hello',
    onedevProjectId: 7,
    onedevName: null,
    defaultBranch: 'main',
    attempts: 0,
    lastError: null,
    lastErrorCode: null,
    lastSyncedAt: '2024-05-01T11:58:00.000Z',
    lastAttemptAt: '2024-05-01T11:58:00.000Z',
    nextAttemptAt: null,
    createdAt: '2024-04-01T00:00:00.000Z',
    updatedAt: '2024-05-01T11:58:00.000Z',
    pausedReason: null,
    archived: false,
    nextRefreshAt: null,
    onedevConflict: null,
  };
  return { ...base, ...patch } as Mirror;
}

export const failedMirror = mirror({
  githubId: 102,
  fullName: 'octocat/broken',
  name: 'broken',
  status: 'failed',
  attempts: 3,
  lastError: `push rejected on refs/heads/${EVIL}`,
  lastAttemptAt: '2024-05-01T11:50:00.000Z',
});

export const run: SyncRun = {
  drift: null,
  bytes: { fetched: 48_128, pushed: 47_104 },
  id: 'run-1',
  githubId: 101,
  trigger: 'webhook',
  attempt: 1,
  startedAt: '2024-05-01T11:57:58.000Z',
  finishedAt: '2024-05-01T11:58:00.000Z',
  durationMs: 2000,
  result: 'synced',
  error: null,
  errorCode: null,
  lfs: { objects: 2, bytes: 4096, totalObjects: 20, totalBytes: 40960 },
  refs: [
    { ref: 'refs/heads/main', kind: 'updated', old: 'a'.repeat(40), new: 'b'.repeat(40) },
    { ref: `refs/heads/${EVIL}`, kind: 'created', old: null, new: 'c'.repeat(40) },
  ],
  containers: [
    {
      kind: 'restart',
      container: 'web',
      id: 'c1',
      result: 'restarted',
      at: '2024-05-01T11:58:01.000Z',
      durationMs: 900,
    },
  ],
  phase: 'verifying',
  quickRetries: 2,
};

/** A sync under way, pushing to OneDev. */
export const runningRun: SyncRun = {
  ...run,
  id: 'run-running',
  finishedAt: null,
  durationMs: null,
  result: 'running',
  refs: [],
  containers: [],
  phase: 'pushing',
};

/** A run whose containers came to every kind of outcome, as the restarter records them. */
export const mixedContainersRun: SyncRun = {
  ...run,
  id: 'run-2',
  containers: [
    {
      kind: 'restart',
      container: 'web',
      id: 'c1',
      result: 'restarted',
      at: run.startedAt,
      durationMs: 900,
    },
    {
      kind: 'restart',
      container: 'api',
      id: 'c2',
      result: 'restarted',
      at: run.startedAt,
      durationMs: 700,
    },
    {
      kind: 'restart',
      container: 'worker',
      id: 'c3',
      result: 'failed',
      message: `engine said ${EVIL}`,
      at: run.startedAt,
      durationMs: 10,
    },
    {
      kind: 'checkout',
      path: '/srv/app',
      result: 'updated',
      branch: 'main',
      commit: 'c'.repeat(40),
    },
    { kind: 'skipped', message: 'no container engine' },
  ],
};

/** Every page: escaped, CSRF on every POST form, no inline script or style. */
export function expectSafe(html: string): void {
  expect(html).not.toContain(EVIL);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/\son[a-z]+=/);
  const posts = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
  for (const post of posts) expect(post).toContain(`name="_csrf" value="${CSRF}"`);
}
