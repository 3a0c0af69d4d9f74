import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findMirror } from '../../../src/mirrors/mirrors.repo.js';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import type { OneDevApi } from '../../../src/onedev/onedev.port.js';
import type { SyncRun } from '../../../src/sync/run.js';
import { finishRun, startRun } from '../../../src/sync/runs.repo.js';
import { insertDelivery } from '../../../src/webhooks/deliveries.repo.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { adminApp, auth, expectError, seedMirror } from './admin-kit.js';

let onedev: OneDevDouble;
let client: OneDevApi;
beforeAll(async () => {
  onedev = await startOneDevDouble(STANDARD_CAST);
  client = createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin, timeoutMs: 5_000 });
});
afterAll(async () => onedev.close());

describe.each(DIALECTS)('admin API: delete, runs and deliveries on %s', (dialect) => {
  let handle: TestDb;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    onedev.faults.clear();
  });
  afterEach(async () => handle.destroy());

  async function mirroredProject(fullName: string): Promise<{ githubId: number; path: string }> {
    const path = `github/${fullName}-${dialect}-${Math.random().toString(36).slice(2, 8)}`;
    const projectId = await onedev.addProject(path);
    const githubId = await seedMirror(handle, fullName, {
      status: 'synced',
      onedev_path: path,
      onedev_project_id: projectId,
    });
    return { githubId, path };
  }

  describe('DELETE /api/v1/mirrors/{owner}/{name}', () => {
    it('stops mirroring: deletes the row and its runs, leaves the OneDev project', async () => {
      const { githubId, path } = await mirroredProject('octocat/keep');
      await startRun(handle.db, {
        id: 'run-1',
        githubId,
        trigger: 'request',
        attempt: 1,
        worker: 'w',
        startedAt: '2024-05-01T10:00:00.000Z',
      });
      const { app } = adminApp(handle, { onedev: client });
      const response = await app.request('/api/v1/mirrors/OctoCat/Keep', {
        method: 'DELETE',
        headers: auth,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ deleted: true, projectDeleted: false });
      expect(await findMirror(handle.db, githubId)).toBeUndefined();
      expect(await handle.db.selectFrom('sync_runs').selectAll().execute()).toEqual([]);
      expect(onedev.projectByPath(path)).toBeDefined();
      await expectError(
        await app.request('/api/v1/mirrors/octocat/keep', { headers: auth }),
        404,
        'NotFound',
      );
    });

    it('with deleteProject=true deletes the OneDev project first, then the row', async () => {
      const { githubId, path } = await mirroredProject('octocat/gone');
      const { app } = adminApp(handle, { onedev: client });
      const response = await app.request('/api/v1/mirrors/octocat/gone?deleteProject=true', {
        method: 'DELETE',
        headers: auth,
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ deleted: true, projectDeleted: true });
      expect(onedev.projectByPath(path)).toBeUndefined();
      expect(await findMirror(handle.db, githubId)).toBeUndefined();
    });

    it('keeps the row and answers the error when OneDev fails to delete the project', async () => {
      const { githubId, path } = await mirroredProject('octocat/stuck');
      onedev.faults.serviceUnavailable({ scope: 'rest', times: 1 });
      const { app } = adminApp(handle, { onedev: client });
      const response = await app.request('/api/v1/mirrors/octocat/stuck?deleteProject=true', {
        method: 'DELETE',
        headers: auth,
      });
      await expectError(response, 502, 'Unavailable', /OneDev failed while deleting project/);
      expect(await findMirror(handle.db, githubId)).toBeDefined();
      expect(onedev.projectByPath(path)).toBeDefined();
    });

    it('refuses deleteProject without OneDev configured, and keeps the row', async () => {
      const { githubId } = await mirroredProject('octocat/nowhere');
      const { app } = adminApp(handle);
      const response = await app.request('/api/v1/mirrors/octocat/nowhere?deleteProject=true', {
        method: 'DELETE',
        headers: auth,
      });
      await expectError(response, 503, 'NotConfigured', /ONEDEV_URL and ONEDEV_TOKEN/);
      expect(await findMirror(handle.db, githubId)).toBeDefined();
    });

    it('refuses deleteProject while the mirror is syncing (the sync would recreate it)', async () => {
      const { githubId } = await mirroredProject('octocat/busy');
      await handle.db
        .updateTable('mirrors')
        .set({ status: 'syncing' })
        .where('github_id', '=', githubId)
        .execute();
      const { app } = adminApp(handle, { onedev: client });
      const response = await app.request('/api/v1/mirrors/octocat/busy?deleteProject=true', {
        method: 'DELETE',
        headers: auth,
      });
      await expectError(response, 409, 'Conflict', /syncing/);
    });

    it('deletes a mirror that has no OneDev project yet: projectDeleted false', async () => {
      await seedMirror(handle, 'octocat/fresh');
      const { app } = adminApp(handle, { onedev: client });
      const response = await app.request('/api/v1/mirrors/octocat/fresh?deleteProject=true', {
        method: 'DELETE',
        headers: auth,
      });
      expect(await response.json()).toEqual({ deleted: true, projectDeleted: false });
    });

    it('answers 404 for an unknown mirror and 400 for a bad deleteProject value', async () => {
      const { app } = adminApp(handle, { onedev: client });
      await expectError(
        await app.request('/api/v1/mirrors/octocat/none', { method: 'DELETE', headers: auth }),
        404,
        'NotFound',
      );
      await seedMirror(handle, 'octocat/here');
      const bad = await app.request('/api/v1/mirrors/octocat/here?deleteProject=yes', {
        method: 'DELETE',
        headers: auth,
      });
      await expectError(bad, 400, 'ValidationError', /deleteProject: must be true or false/);
    });
  });

  describe('GET …/runs', () => {
    it('lists the run ledger newest first, with result, duration and refs moved', async () => {
      const githubId = await seedMirror(handle, 'octocat/ledger', { status: 'synced' });
      await startRun(handle.db, {
        id: 'r1',
        githubId,
        trigger: 'request',
        attempt: 1,
        worker: 'w',
        startedAt: '2024-05-01T10:00:00.000Z',
      });
      await finishRun(handle.db, 'r1', {
        result: 'failed',
        finishedAt: '2024-05-01T10:00:02.000Z',
        error: 'boom',
        errorCode: 'git_network',
      });
      await startRun(handle.db, {
        id: 'r2',
        githubId,
        trigger: 'retry',
        attempt: 2,
        worker: 'w',
        startedAt: '2024-05-01T11:00:00.000Z',
      });
      const refs = [
        {
          ref: 'refs/heads/main',
          kind: 'updated' as const,
          old: 'a'.repeat(40),
          new: 'b'.repeat(40),
        },
      ];
      await finishRun(handle.db, 'r2', {
        result: 'synced',
        finishedAt: '2024-05-01T11:00:01.500Z',
        refs,
      });

      const { app } = adminApp(handle);
      const response = await app.request('/api/v1/mirrors/octocat/ledger/runs', { headers: auth });
      expect(response.status).toBe(200);
      const { runs } = (await response.json()) as { runs: SyncRun[] };
      expect(runs.map((r) => r.id)).toEqual(['r2', 'r1']);
      expect(runs[0]).toMatchObject({
        result: 'synced',
        durationMs: 1500,
        refs,
        trigger: 'retry',
        attempt: 2,
      });
      expect(runs[1]).toMatchObject({
        result: 'failed',
        error: 'boom',
        errorCode: 'git_network',
        refs: [],
      });

      const one = (await (
        await app.request('/api/v1/mirrors/octocat/ledger/runs?limit=1', { headers: auth })
      ).json()) as { runs: SyncRun[] };
      expect(one.runs.map((r) => r.id)).toEqual(['r2']);
      await expectError(
        await app.request('/api/v1/mirrors/octocat/none/runs', { headers: auth }),
        404,
        'NotFound',
      );
    });
  });

  describe('GET /api/v1/deliveries', () => {
    beforeEach(async () => {
      const deliveries = [
        { id: 'd1', event: 'push', minute: 1, outcome: 'queued' },
        { id: 'd2', event: 'star', minute: 2, outcome: 'ignored' },
        { id: 'd3', event: 'push', minute: 3, outcome: 'ignored' },
        { id: 'd4', event: 'ping', minute: 4, outcome: 'received' },
      ];
      for (const d of deliveries) {
        await insertDelivery(handle.db, {
          id: d.id,
          hookId: '42',
          deliveryId: `guid-${d.id}`,
          event: d.event,
          action: d.event === 'star' ? 'created' : null,
          githubId: d.event === 'ping' ? null : 1296269,
          repository: d.event === 'ping' ? null : 'octocat/Hello-World',
          receivedAt: `2024-05-01T10:0${d.minute}:00.000Z`,
          outcome: d.outcome,
          detail: d.outcome === 'received' ? null : `${d.outcome} because`,
        });
      }
    });

    it('lists deliveries newest first with camelCase fields', async () => {
      const { app } = adminApp(handle);
      const response = await app.request('/api/v1/deliveries', { headers: auth });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        deliveries: Array<Record<string, unknown>>;
        total: number;
      };
      expect(body).toMatchObject({ total: 4, limit: 50, offset: 0 });
      expect(body.deliveries.map((d) => d.id)).toEqual(['d4', 'd3', 'd2', 'd1']);
      expect(body.deliveries[2]).toEqual({
        id: 'd2',
        hookId: '42',
        deliveryId: 'guid-d2',
        event: 'star',
        action: 'created',
        githubId: 1296269,
        repository: 'octocat/Hello-World',
        outcome: 'ignored',
        detail: 'ignored because',
        receivedAt: '2024-05-01T10:02:00.000Z',
      });
    });

    it('filters by event and outcome, and paginates', async () => {
      const { app } = adminApp(handle);
      const get = async (query: string) =>
        (await (await app.request(`/api/v1/deliveries?${query}`, { headers: auth })).json()) as {
          deliveries: Array<{ id: string }>;
          total: number;
        };
      expect((await get('event=push')).deliveries.map((d) => d.id)).toEqual(['d3', 'd1']);
      expect((await get('outcome=ignored')).deliveries.map((d) => d.id)).toEqual(['d3', 'd2']);
      expect((await get('event=push&outcome=ignored')).deliveries.map((d) => d.id)).toEqual(['d3']);
      const page = await get('limit=2&offset=1');
      expect(page.deliveries.map((d) => d.id)).toEqual(['d3', 'd2']);
      expect(page.total).toBe(4);
      await expectError(
        await app.request('/api/v1/deliveries?limit=1000', { headers: auth }),
        400,
        'ValidationError',
        /limit/,
      );
    });
  });
});
