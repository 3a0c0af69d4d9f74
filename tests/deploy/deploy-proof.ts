// Proves the container image works, offline: builds a base image without a registry, builds
// the Containerfile on it, runs the image against the loopback GitHub and OneDev doubles and
// the host's PostgreSQL, and checks that it becomes healthy, runs as non-root and mirrors a
// repository after a signed webhook. Validates podman-compose.yml. Exits non-zero on failure.
//
//   node --import tsx tests/deploy/deploy-proof.ts
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { RepoBuilder } from '../support/git-repos.js';
import { startGitHubDouble } from '../support/github-double/index.js';
import { startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';
import { webhookExample, webhookRequest, withRepository } from '../support/webhooks.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const BASE_IMAGE = 'localhost/starbridge-node-base:latest';
const IMAGE = 'localhost/starbridge:deploy-proof';
const SECRET = `deploy-${randomBytes(8).toString('hex')}`;
const GITHUB_TOKEN = `ghp_deploy${randomBytes(12).toString('hex')}`;
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function step(message: string): void {
  console.log(`[deploy-proof] ${message}`);
}

async function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const { stdout } = await run(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function buildImages(): Promise<number> {
  step('building the base image (debootstrap + host Node.js), if missing');
  await sh(join(ROOT, 'tests/deploy/build-base-image.sh'), [BASE_IMAGE]);
  step('building the Containerfile offline');
  const started = Date.now();
  await sh('podman', [
    'build',
    '--pull=never',
    '--network=host',
    '--format',
    'docker',
    '--build-arg',
    `NODE_IMAGE=${BASE_IMAGE}`,
    '-t',
    IMAGE,
    '.',
  ]);
  step(`image built in ${Math.round((Date.now() - started) / 1000)} s`);
  return Number(await sh('podman', ['image', 'inspect', IMAGE, '--format', '{{.Size}}']));
}

async function validateCompose(): Promise<void> {
  step('validating podman-compose.yml (dry run)');
  const project = `sbvalidate${randomBytes(3).toString('hex')}`;
  const env = { ...process.env, POSTGRES_PASSWORD: 'validate', STARBRIDGE_IMAGE: IMAGE };
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-compose-'));
  try {
    // podman-compose reads env_file: .env next to the compose file.
    await sh('cp', [join(ROOT, 'podman-compose.yml'), join(ROOT, 'Containerfile'), dir]);
    writeFileSync(join(dir, '.env'), 'LOG_LEVEL=info\n');
    const { stdout, stderr } = await run(
      'podman-compose',
      ['--dry-run', '-p', project, '-f', 'podman-compose.yml', 'up', '-d', '--no-build'],
      { cwd: dir, env },
    );
    const plan = `${stdout}\n${stderr}`;
    for (const expected of [
      '--healthcheck-command',
      'postgres:5432/starbridge',
      '-v',
      ':/data',
      'PORT=3000',
      IMAGE,
    ]) {
      if (!plan.includes(expected))
        throw new Error(`podman-compose plan lacks ${expected}:\n${plan}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await run('podman', [
      'volume',
      'rm',
      '-f',
      `${project}_postgres-data`,
      `${project}_starbridge-data`,
    ]).catch(() => {});
    await run('podman', ['network', 'rm', '-f', `${project}_default`]).catch(() => {});
  }
}

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `starbridge_deploy_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function main(): Promise<void> {
  const size = await buildImages();
  await validateCompose();
  const github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const database = await createDatabase();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let container = '';
  try {
    const record = github.addRepo({ owner: 'octocat', name: 'deployed', defaultBranch: 'main' });
    const repo = new RepoBuilder(github.repoPath('octocat', 'deployed'));
    await repo.commit('main', { files: { 'README.md': '# deployed\n' } });
    await repo.tag('v1', 'main');

    step('running the image with --network host');
    container = await sh(
      'podman',
      [
        'run',
        '-d',
        '--network',
        'host',
        '-e',
        `PORT=${port}`,
        '-e',
        'HOST=127.0.0.1',
        '-e',
        `DATABASE_URL=${database.url}`,
        '-e',
        `GITHUB_API_URL=${github.url}`,
        '-e',
        `GITHUB_GIT_URL=${github.url}`,
        '-e',
        `GITHUB_WEBHOOK_SECRET=${SECRET}`,
        '-e',
        `ONEDEV_URL=${onedev.url}`,
        // Secrets through the environment of `podman run`, not its arguments' values.
        '-e',
        'GITHUB_TOKEN',
        '-e',
        'ONEDEV_TOKEN',
        IMAGE,
      ],
      { env: { ...process.env, GITHUB_TOKEN, ONEDEV_TOKEN: TOKENS.admin } },
    );
    const base = `http://127.0.0.1:${port}`;
    await until('/health/ready to answer 200', 90_000, async () =>
      (await fetch(`${base}/health/ready`)).ok ? true : undefined,
    );
    step('ready');
    await sh('podman', ['healthcheck', 'run', container]);
    const uid = await sh('podman', ['exec', container, 'id', '-u']);
    if (uid === '0') throw new Error('the container runs as root');
    step(`runs as uid ${uid}`);

    const payload = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'octocat',
      name: 'deployed',
    });
    const request = webhookRequest({ event: 'watch', payload, secret: SECRET });
    const answer = await fetch(`${base}/webhooks/github`, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
    });
    if (answer.status !== 202)
      throw new Error(`webhook answered ${answer.status}: ${await answer.text()}`);
    const expected = await repo.refs();
    await until('the mirror to appear in OneDev', 120_000, async () => {
      const refs = await onedev.refs('github/octocat/deployed');
      return refs['refs/heads/main'] === expected['refs/heads/main'] && refs['refs/tags/v1']
        ? true
        : undefined;
    });
    step('mirrored github/octocat/deployed');
    console.log(`[deploy-proof] PASS — image ${IMAGE}, ${(size / 1e6).toFixed(0)} MB`);
  } catch (error) {
    if (container) console.error(await sh('podman', ['logs', container]).catch(() => ''));
    throw error;
  } finally {
    if (container) await run('podman', ['rm', '-f', container]).catch(() => {});
    await Promise.all([github.close(), onedev.close()]);
    await database.drop();
  }
}

main().catch((error) => {
  console.error(`[deploy-proof] FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
