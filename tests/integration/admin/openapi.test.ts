import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/admin.routes.js';
import { createGitHubClient } from '../../../src/github/github.client.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { createTestDb, DIALECTS, type TestDb } from '../../support/test-db.js';
import { adminApp } from './admin-kit.js';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document of any shape
type Json = Record<string, any>;

describe.each(DIALECTS)('admin API: OpenAPI document on %s', (dialect) => {
  let handle: TestDb;
  let doc: Json;
  beforeEach(async () => {
    handle = await createTestDb(dialect);
    const response = await adminApp(handle).app.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    doc = (await response.json()) as Json;
  });
  afterEach(async () => handle.destroy());

  it('is an OpenAPI 3.1 document with the bearer security scheme applied by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toMatch(/Starbridge/);
    expect(doc.components.securitySchemes.bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/v1/openapi.json'].get.security).toEqual([]);
  });

  it('lists exactly the routes the admin app serves', () => {
    const app = adminRoutes({
      token: 't',
      handle,
      mirrors: createMirrorService({ handle, clock: { now: () => new Date() } }),
      github: createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
    });
    const served = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths as Json)
      .flatMap(([path, item]) =>
        Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(served);
    expect(documented).toEqual([
      'DELETE /api/v1/keys/{name}',
      'DELETE /api/v1/mirrors/{owner}/{name}',
      'GET /api/v1/containers',
      'GET /api/v1/containers/actions',
      'GET /api/v1/containers/plan',
      'GET /api/v1/deliveries',
      'GET /api/v1/keys',
      'GET /api/v1/mirrors',
      'GET /api/v1/mirrors/{owner}/{name}',
      'GET /api/v1/mirrors/{owner}/{name}/history',
      'GET /api/v1/mirrors/{owner}/{name}/options',
      'GET /api/v1/mirrors/{owner}/{name}/runs',
      'GET /api/v1/mirrors/{owner}/{name}/ssh-key',
      'GET /api/v1/openapi.json',
      'GET /api/v1/sources',
      'POST /api/v1/containers/rebuild',
      'POST /api/v1/containers/repository/{owner}/{name}/restart',
      'POST /api/v1/containers/{id}/restart',
      'POST /api/v1/containers/{id}/retry',
      'POST /api/v1/containers/{id}/start',
      'POST /api/v1/containers/{id}/stop',
      'POST /api/v1/keys',
      'POST /api/v1/mirrors',
      'POST /api/v1/mirrors/retry-failed',
      'POST /api/v1/mirrors/{owner}/{name}/lfs',
      'POST /api/v1/mirrors/{owner}/{name}/options',
      'POST /api/v1/mirrors/{owner}/{name}/pause',
      'POST /api/v1/mirrors/{owner}/{name}/resume',
      'POST /api/v1/mirrors/{owner}/{name}/retry',
      'POST /api/v1/mirrors/{owner}/{name}/ssh-key',
      'POST /api/v1/mirrors/{owner}/{name}/sync',
      'POST /api/v1/reconcile',
    ]);
  });

  it('describes parameters, request bodies and responses from the zod schemas', () => {
    const list = doc.paths['/api/v1/mirrors'].get;
    expect(list.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual([
      'query:status',
      'query:q',
      'query:sort',
      'query:direction',
      'query:limit',
      'query:offset',
    ]);
    const limit = list.parameters.find((p: Json) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/MirrorList',
    });

    const add = doc.paths['/api/v1/mirrors'].post;
    expect(add.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/AddMirror',
    });
    expect(Object.keys(add.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '404', '503']),
    );

    const remove = doc.paths['/api/v1/mirrors/{owner}/{name}'].delete;
    expect(remove.parameters.map((p: Json) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:owner:true',
      'path:name:true',
      'query:deleteProject:false',
    ]);

    const mirror = doc.components.schemas.Mirror;
    for (const field of [
      'githubId',
      'fullName',
      'status',
      'source',
      'starred',
      'onedevPath',
      'onedevProjectId',
      'defaultBranch',
      'attempts',
      'lastError',
      'lastSyncedAt',
      'nextAttemptAt',
    ]) {
      expect(mirror.required).toContain(field);
    }
    expect(mirror.properties.status.enum).toEqual([
      'queued',
      'syncing',
      'synced',
      'retrying',
      'failed',
      'paused',
    ]);
  });

  it('gives every operation an id, a summary and an error schema for every error answer, and every $ref resolves', () => {
    const ids = new Set<string>();
    for (const item of Object.values(doc.paths as Json)) {
      for (const operation of Object.values(item as Json) as Json[]) {
        expect(operation.operationId).toBeTruthy();
        expect(ids.has(operation.operationId)).toBe(false);
        ids.add(operation.operationId);
        expect(operation.summary).toBeTruthy();
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          if (Number(status) >= 400) {
            expect(response.content['application/json'].schema).toEqual({
              $ref: '#/components/schemas/Error',
            });
          }
        }
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });
});
