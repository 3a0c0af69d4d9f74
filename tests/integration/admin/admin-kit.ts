import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import { expect } from 'vitest';
import { type AdminRoutesDeps, adminRoutes } from '../../../src/admin/admin.routes.js';
import type { DbHandle } from '../../../src/db/database.js';
import type { MirrorRowUpdate } from '../../../src/db/schema/index.js';
import { createGitHubClient, type GitHubClient } from '../../../src/github/github.client.js';
import { createHealthService } from '../../../src/health/health.service.js';
import { createApp } from '../../../src/http/app.js';
import { createMirrorService } from '../../../src/mirrors/mirror.service.js';
import { insertMirrorIfAbsent } from '../../../src/mirrors/mirrors.repo.js';
import type { OneDevApi } from '../../../src/onedev/onedev.port.js';
import { createLogger } from '../../../src/shared/logger.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Every log line the app wrote, for asserting what is (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface AdminApp {
  app: Hono;
  logs: LogCapture;
  github: GitHubClient;
}

/** The real app (createApp) with the admin routes mounted, on a test database. */
export function adminApp(
  handle: DbHandle,
  options: {
    token?: string | null;
    githubUrl?: string;
    githubToken?: string;
    onedev?: Pick<OneDevApi, 'deleteProject'>;
    tokenEquals?: AdminRoutesDeps['tokenEquals'];
    /** GITHUB_GIT_URL as the service passes it: a repository page there is taken as owner/name. */
    githubWebUrl?: string;
  } = {},
): AdminApp {
  const logs = new LogCapture();
  const log = createLogger({ level: 'trace', destination: logs });
  const clock = { now: () => new Date() };
  const github = createGitHubClient({
    apiUrl: options.githubUrl ?? 'http://127.0.0.1:9',
    token: options.githubToken,
    timeoutMs: 5_000,
  });
  const health = createHealthService({ db: handle, dataDir: tmpdir(), probes: [] });
  const routes = adminRoutes({
    token: options.token === null ? undefined : (options.token ?? ADMIN_TOKEN),
    handle,
    mirrors: createMirrorService({ handle, clock }),
    github,
    onedev: options.onedev,
    tokenEquals: options.tokenEquals,
    githubWebUrl: options.githubWebUrl,
  });
  return { app: createApp({ log, health, routes: [routes] }), logs, github };
}

let nextId = 1000;

/** Inserts a mirror and then applies column overrides (status, attempts, errors…). */
export async function seedMirror(
  handle: DbHandle,
  fullName: string,
  patch: MirrorRowUpdate = {},
  githubId = nextId++,
): Promise<number> {
  const [owner = '', name = ''] = fullName.split('/');
  const now = '2024-05-01T10:00:00.000Z';
  await insertMirrorIfAbsent(
    handle.db,
    { githubId, owner, name, source: 'star', starred: true, private: false, defaultBranch: 'main' },
    now,
  );
  if (Object.keys(patch).length > 0) {
    await handle.db.updateTable('mirrors').set(patch).where('github_id', '=', githubId).execute();
  }
  return githubId;
}

/** Asserts the one error shape: `{ error: { code, message } }` with the given status. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  message?: RegExp,
): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (message) expect(body.error.message).toMatch(message);
  return body.error.message;
}

export function json(body: unknown, headers: Record<string, string> = auth): RequestInit {
  return {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
