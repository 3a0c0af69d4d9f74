// An offline demo: local GitHub and OneDev stand-ins with sample repositories, and Starbridge
// running against them. It stars a repository, pushes to it, shows the mirror following, and
// prints what to open and which commands to try. No account or network needed.
//
//   npm run demo            (keeps running until Ctrl-C)
//   npm run demo -- --once  (exits after the demonstration; used by the tests)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { startService } from '../src/service.js';
import { createLogger } from '../src/shared/logger.js';
import { Redactor } from '../src/shared/redact.js';
import { RepoBuilder } from '../tests/support/git-repos.js';
import { startGitHubDouble } from '../tests/support/github-double/index.js';
import { startOneDevDouble } from '../tests/support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../tests/support/onedev-double/test-kit.js';
import { webhookExample, webhookRequest, withRepository } from '../tests/support/webhooks.js';

const once = process.argv.includes('--once');
const say = (line = '') => console.log(line);
const SECRET = 'demo-webhook-secret';
const ADMIN = 'demo-admin-token';
const GITHUB_TOKEN = 'demo-github-token';

async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function sampleRepos(github: Awaited<ReturnType<typeof startGitHubDouble>>) {
  const hello = github.addRepo({
    owner: 'octocat',
    name: 'hello-world',
    description: 'My first repository',
  });
  const repo = new RepoBuilder(github.repoPath('octocat', 'hello-world'));
  await repo.commit('main', {
    files: { 'README.md': '# Hello, world\n' },
    message: 'Initial commit',
  });
  await repo.branch('feature/greeting', 'main');
  await repo.commit('feature/greeting', {
    files: { 'greeting.txt': 'hi\n' },
    message: 'Add a greeting',
  });
  await repo.tag('v1.0.0', 'main', { annotated: true });
  const dotfiles = github.addRepo({
    owner: 'octocat',
    name: '.github',
    description: 'Community health files',
  });
  await new RepoBuilder(github.repoPath('octocat', '.github')).commit('main', {
    files: { 'FUNDING.yml': 'github: octocat\n' },
  });
  return { hello, repo, dotfiles };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'starbridge-demo-'));
  const github = await startGitHubDouble({ tokens: { [GITHUB_TOKEN]: 'octocat' } });
  const onedev = await startOneDevDouble(STANDARD_CAST);
  const { hello, repo } = await sampleRepos(github);
  const config = loadConfig({
    PORT: process.env.PORT ?? '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dataDir, 'starbridge.db')}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    GITHUB_API_URL: github.url,
    GITHUB_GIT_URL: github.url,
    GITHUB_TOKEN,
    GITHUB_WEBHOOK_SECRET: SECRET,
    ONEDEV_URL: onedev.url,
    ONEDEV_TOKEN: TOKENS.admin,
    ADMIN_TOKEN: ADMIN,
    DASHBOARD_PASSWORD: 'demo',
    CONTAINER_SOCKET: '',
  });
  const log = createLogger({ level: 'warn', redactor: new Redactor([GITHUB_TOKEN, TOKENS.admin]) });
  const service = await startService(config, log);
  const base = `http://127.0.0.1:${service.port}`;
  const deliver = async (event: string, payload: unknown) => {
    const request = webhookRequest({ event, payload, secret: SECRET });
    return fetch(`${base}/webhooks/github`, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
    });
  };
  const mirrored = async (sha: string) =>
    (await onedev.refs('github/octocat/hello-world'))['refs/heads/main'] === sha;

  say('Starbridge demo — everything runs on this machine.\n');
  say('1. You star octocat/hello-world on (the stand-in) GitHub; GitHub sends a watch webhook.');
  github.star('octocat', 'octocat/hello-world');
  const identity = { id: hello.id, owner: 'octocat', name: 'hello-world' };
  await deliver('watch', withRepository(webhookExample('watch', 'started'), identity));
  const firstMain = await repo.resolve('refs/heads/main');
  await until('the first mirror', () => mirrored(firstMain));
  say('   → mirrored into OneDev as github/octocat/hello-world, with every branch and tag:');
  for (const ref of Object.keys(await onedev.refs('github/octocat/hello-world')).sort())
    say(`     ${ref}`);

  say('\n2. Someone pushes a new commit; GitHub sends a push webhook.');
  const sha = await repo.commit('main', {
    files: { 'CHANGELOG.md': '- a new line\n' },
    message: 'Update the changelog',
  });
  await deliver('push', withRepository(webhookExample('push'), identity));
  await until('the pushed commit', () => mirrored(sha));
  say(`   → OneDev's main is now ${sha.slice(0, 12)}, the new commit.`);

  say('\nTry it:');
  say(`   Dashboard      ${base}/   (password: demo)`);
  say(`   Health         curl ${base}/health`);
  say(`   Mirrors        curl -H 'Authorization: Bearer ${ADMIN}' ${base}/api/v1/mirrors`);
  say(
    `   Sync ledger    curl -H 'Authorization: Bearer ${ADMIN}' ${base}/api/v1/mirrors/octocat/hello-world/runs`,
  );
  say(
    `   Add .github    curl -X POST -H 'Authorization: Bearer ${ADMIN}' -H 'Content-Type: application/json' -d '{"repo":"octocat/.github"}' ${base}/api/v1/mirrors`,
  );
  say(
    `   OneDev refs    git ls-remote -c http.extraHeader='Authorization: Bearer ${TOKENS.admin}' ${onedev.url}/github/octocat/hello-world.git`,
  );
  say(`   Metrics        curl ${base}/metrics`);

  const stop = async () => {
    await service.stop();
    await Promise.all([github.close(), onedev.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (once) {
    await stop();
    say('\nDemo finished.');
    return;
  }
  say('\nPress Ctrl-C to stop.');
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
