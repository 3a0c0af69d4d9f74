// Proves the container image works, offline: builds a base image without a registry, builds
// the Containerfile on it, runs the image against the loopback GitHub and OneDev doubles and
// the host's PostgreSQL, and checks that it becomes healthy, runs as non-root and mirrors a
// repository after a signed webhook; checks the image's contents (Node.js 24, git-lfs, the
// CLI on PATH, no build leftovers, OCI labels) and a graceful stop. Then validates
// podman-compose.yml (hardening, secrets) and runs its Starbridge service with
// podman-compose against the host's PostgreSQL (see compose.host-postgres.yml), and
// mirrors a second repository through it. Exits non-zero on failure.
//
//   PATH="$PWD/node_modules/.bin:$PATH" node --import tsx tests/deploy/deploy-proof.ts
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { RepoBuilder } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../support/onedev-double/test-kit.js';
import { headsAndTags } from '../support/pipeline.js';
import { sendWebhook, webhookExample, withRepository } from '../support/webhooks.js';
import {
  type ComposeService,
  checkCliInContainer,
  checkComposeHardening,
  checkContainerHardening,
  checkGracefulStop,
  checkImage,
  type ImageFacts,
} from './image-checks.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const BASE_IMAGE = 'localhost/starbridge-node-base:node24';
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

/**
 * Stars `octocat/<name>` by a signed `watch` webhook to the service at `base` and waits
 * until OneDev holds exactly the source's heads and tags.
 */
async function mirrorByWebhook(
  base: string,
  onedev: OneDevDouble,
  repository: { id: number; name: string },
  source: RepoBuilder,
): Promise<void> {
  const payload = withRepository(webhookExample('watch', 'started'), {
    id: repository.id,
    owner: 'octocat',
    name: repository.name,
  });
  const answer = await sendWebhook(`${base}/webhooks/github`, {
    event: 'watch',
    payload,
    secret: SECRET,
  });
  if (answer.status !== 202)
    throw new Error(`webhook answered ${answer.status}: ${await answer.text()}`);
  const expected = headsAndTags(await source.refs());
  const path = `github/octocat/${repository.name}`;
  await until(`${path} to appear in OneDev`, 120_000, async () => {
    const refs = headsAndTags(await onedev.refs(path));
    const same =
      Object.keys(refs).length === Object.keys(expected).length &&
      Object.entries(expected).every(([ref, sha]) => refs[ref] === sha);
    return same ? true : undefined;
  });
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

async function buildImages(): Promise<ImageFacts> {
  step('building the base image (debootstrap + Node.js 24 from PATH), if missing');
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
    '--build-arg',
    `GIT_COMMIT=${await sh('git', ['rev-parse', '--short=12', 'HEAD'])}`,
    '--build-arg',
    `VERSION=${await sh('node', ['-p', 'require("./package.json").version'])}`,
    '--build-arg',
    `CREATED=${new Date().toISOString()}`,
    '-t',
    IMAGE,
    '.',
  ]);
  step(`image built in ${Math.round((Date.now() - started) / 1000)} s`);
  const facts = await checkImage(IMAGE, BASE_IMAGE);
  step(
    `image: Node.js ${facts.node}, git-lfs, starbridge on PATH, no build leftovers, OCI labels; ` +
      `${mb(facts.sizeBytes)} MB, product layers ${mb(facts.productLayersBytes)} MB`,
  );
  return facts;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** What podman-compose makes of the Compose file: `config` where it exists, the dry-run plan otherwise. */
async function composeConfig(dir: string, project: string, env: NodeJS.ProcessEnv) {
  const config = await run('podman-compose', ['-f', 'podman-compose.yml', 'config'], {
    cwd: dir,
    env,
  }).catch(() => undefined);
  if (config) return config.stdout;
  // podman-compose 1.0 has no `config`: its dry run prints the podman commands it would run.
  const plan = await run(
    'podman-compose',
    ['--dry-run', '-p', project, '-f', 'podman-compose.yml', 'up', '-d', '--no-build'],
    { cwd: dir, env },
  );
  return `${plan.stdout}\n${plan.stderr}`;
}

/** The Compose file's promises: health-gated start, restart policy, volumes, database URL. */
async function validateCompose(dir: string, project: string, env: NodeJS.ProcessEnv) {
  step('validating podman-compose.yml');
  const parsed = JSON.parse(
    await sh(
      'python3',
      [
        '-c',
        'import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)',
        join(dir, 'podman-compose.yml'),
      ],
      { cwd: dir },
    ),
  ) as {
    services: Record<
      string,
      ComposeService & { restart?: string; depends_on?: Record<string, { condition?: string }> }
    >;
    secrets?: Record<string, { file?: string }>;
  };
  const { postgres, starbridge } = parsed.services;
  if (!starbridge) throw new Error('podman-compose.yml has no starbridge service');
  checkComposeHardening(starbridge, parsed.secrets ?? {});
  step(
    'compose file: healthcheck, stop_grace_period > SHUTDOWN_GRACE, secrets, read_only, cap_drop, no-new-privileges',
  );
  if (starbridge?.depends_on?.postgres?.condition !== 'service_healthy')
    throw new Error('starbridge must wait for postgres to be healthy (depends_on condition)');
  if (postgres?.restart !== 'unless-stopped' || starbridge.restart !== 'unless-stopped')
    throw new Error('both services must restart unless-stopped');
  const plan = await composeConfig(dir, project, env);
  for (const expected of [
    'pg_isready -U starbridge -d starbridge',
    'unless-stopped',
    ':/data',
    'postgres:5432/starbridge',
    '--read-only',
    'no-new-privileges',
    '/run/secrets/postgres_password',
    IMAGE,
  ]) {
    if (!plan.includes(expected))
      throw new Error(`podman-compose config lacks ${expected}:\n${plan}`);
  }
}

/** A TCP port on every interface relaying to a loopback one, so containers on a bridge reach it. */
async function relay(target: number): Promise<{ port: number; close: () => void }> {
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

/**
 * Brings up the Starbridge service of podman-compose.yml (its network, alias, volume, port,
 * env_file, restart policy and DATABASE_URL) with tests/deploy/compose.host-postgres.yml
 * turning `postgres` into a relay to the host's PostgreSQL, then mirrors a repository
 * through it and tears everything down.
 */
async function composeProof(deps: { github: GitHubDouble; onedev: OneDevDouble }): Promise<void> {
  const project = `sbproof${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-compose-'));
  // Any characters: the password is a secret file, never part of a URL.
  const password = `p@ss:w/rd?#%-${randomBytes(8).toString('hex')}`;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const pgTarget = Number(new URL(PG_URL).port || 5432);
  const relays = await Promise.all([
    relay(pgTarget),
    relay(Number(new URL(deps.github.url).port)),
    relay(Number(new URL(deps.onedev.url).port)),
  ]);
  const [pgRelay, githubRelay, onedevRelay] = relays as [Relay, Relay, Relay];
  const hostUrl = (r: Relay) => `http://host.containers.internal:${r.port}`;
  const env = {
    ...process.env,
    STARBRIDGE_IMAGE: IMAGE,
    STARBRIDGE_PORT: String(port),
    DEPLOY_POSTGRES_RELAY: `host.containers.internal:${pgRelay.port}`,
  };
  const compose = (args: string[]) =>
    run(
      'podman-compose',
      ['-p', project, '-f', 'podman-compose.yml', '-f', 'compose.host-postgres.yml', ...args],
      { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 },
    );
  await sh('cp', [
    '-r',
    join(ROOT, 'podman-compose.yml'),
    join(ROOT, 'tests/deploy/compose.host-postgres.yml'),
    join(ROOT, 'tests/deploy/compose-relay'),
    dir,
  ]);
  chmodSync(dir, 0o755);
  // Settings in .env, secrets as files under secrets/, as docs/deployment.md says.
  writeFileSync(
    join(dir, '.env'),
    [
      `GITHUB_API_URL=${hostUrl(githubRelay)}`,
      `GITHUB_GIT_URL=${hostUrl(githubRelay)}`,
      `ONEDEV_URL=${hostUrl(onedevRelay)}`,
      'LOG_LEVEL=info',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 });
  const secrets = {
    postgres_password: password,
    github_token: GITHUB_TOKEN,
    onedev_token: TOKENS.admin,
    github_webhook_secret: SECRET,
  };
  for (const [name, value] of Object.entries(secrets)) {
    // Readable by the image's user (uid 10001) through the bind mount.
    writeFileSync(join(dir, 'secrets', name), `${value}\n`, { mode: 0o644 });
  }
  await validateCompose(dir, project, env);
  // The Compose file's DATABASE_URL names user and database `starbridge` on host `postgres`.
  await pgAdmin([
    'drop database if exists starbridge with (force)',
    'drop role if exists starbridge',
    `create role starbridge login password '${password.replaceAll("'", "''")}'`,
    'create database starbridge owner starbridge',
  ]);
  const container = `${project}_starbridge_1`;
  try {
    step('podman-compose up -d (postgres relayed to the host PostgreSQL)');
    await compose(['up', '-d', '--no-build']);
    const base = `http://127.0.0.1:${port}`;
    await until('/health/ready via the published port', 90_000, async () =>
      (await fetch(`${base}/health/ready`)).ok ? true : undefined,
    );
    const restart = await sh('podman', [
      'inspect',
      container,
      '--format',
      '{{.HostConfig.RestartPolicy.Name}}',
    ]);
    if (restart !== 'unless-stopped') throw new Error(`restart policy is ${restart}`);
    await sh('podman', ['healthcheck', 'run', `${project}_postgres_1`]);
    // The compose-level check (not only the image's HEALTHCHECK) is what the engine runs.
    const check = await sh('podman', [
      'inspect',
      container,
      '--format',
      '{{json .Config.Healthcheck.Test}}',
    ]);
    if (!check.includes('127.0.0.1:3000/health/ready'))
      throw new Error(`the container's health check is not the Compose file's: ${check}`);
    await sh('podman', ['healthcheck', 'run', container]);
    await checkContainerHardening(container);
    step('compose service: read-only root, no capabilities, no-new-privileges');
    await checkCliInContainer(container);
    step('podman exec … starbridge status works in the compose service');
    const health = (await (await fetch(`${base}/health`)).json()) as {
      components: Record<string, { status: string }>;
    };
    if (health.components.database?.status !== 'ok')
      throw new Error(`database is ${JSON.stringify(health.components.database)}`);
    step('compose service ready, restart unless-stopped, both health checks pass');

    const record = deps.github.addRepo({
      owner: 'octocat',
      name: 'composed',
      defaultBranch: 'main',
    });
    const repo = new RepoBuilder(deps.github.repoPath('octocat', 'composed'));
    await repo.commit('main', { files: { 'README.md': '# composed\n' } });
    await mirrorByWebhook(base, deps.onedev, { id: record.id, name: 'composed' }, repo);
    step('mirrored github/octocat/composed through the Compose service');
    const stopped = await checkGracefulStop(container, 30);
    step(`compose service stopped gracefully in ${stopped.toFixed(1)} s (SHUTDOWN_GRACE 30 s)`);
  } catch (error) {
    console.error(await sh('podman', ['logs', container]).catch(() => ''));
    throw error;
  } finally {
    await compose(['down', '-v']).catch((error: Error) =>
      console.error(`[deploy-proof] podman-compose down failed: ${error.message}`),
    );
    // Whatever down left behind (it leaves the network in podman-compose 1.0).
    await run('podman', ['rm', '-f', '-t', '2', container, `${project}_postgres_1`]).catch(
      () => {},
    );
    await run('podman', [
      'volume',
      'rm',
      '-f',
      `${project}_postgres-data`,
      `${project}_starbridge-data`,
    ]).catch(() => {});
    await run('podman', ['network', 'rm', '-f', `${project}_default`]).catch(() => {});
    for (const r of relays) r.close();
    rmSync(dir, { recursive: true, force: true });
    await pgAdmin([
      'drop database if exists starbridge with (force)',
      'drop role if exists starbridge',
    ]);
  }
}

type Relay = Awaited<ReturnType<typeof relay>>;

async function pgAdmin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
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
  const facts = await buildImages();
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

    await mirrorByWebhook(base, onedev, { id: record.id, name: 'deployed' }, repo);
    step('mirrored github/octocat/deployed');
    await checkCliInContainer(container);
    step('podman exec … starbridge status works');
    const stopped = await checkGracefulStop(container, 30);
    step(`stopped gracefully in ${stopped.toFixed(1)} s`);
    await run('podman', ['rm', '-f', container]);
    container = '';
    await composeProof({ github, onedev });
    console.log(
      `[deploy-proof] PASS — image ${IMAGE}, ${mb(facts.sizeBytes)} MB (product layers ${mb(facts.productLayersBytes)} MB)`,
    );
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
