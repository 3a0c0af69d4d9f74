import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptPrivateKey } from '../../src/keys/key-crypto.js';
import { generateLargeRepo, RepoBuilder } from '../support/git-repos.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type OneDevDouble, startOneDevDouble } from '../support/onedev-double/index.js';
import { STANDARD_CAST } from '../support/onedev-double/test-kit.js';
import { type ProcessSampler, startProcessSampler } from '../support/process-sampler.js';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.js';
import { type Sshd, sshdSkipReason, startSshd } from '../support/sshd.js';
import { createTestDb, DIALECTS, type TestDb } from '../support/test-db.js';
import { sendWebhook, webhookExample, withRepository } from '../support/webhooks.js';

/**
 * No credential leaks (issue Done-when 8): while the service, as a separate process,
 * mirrors a private repository from the GitHub double into the OneDev double and fails
 * another, no token or secret value shows in any log line, any admin API answer (errors
 * included), any row of any table, or the argument list of any process, sampled the whole
 * time the git fetch and the git push run.
 */

const SECRETS = {
  GITHUB_TOKEN: 'ghp_SecretsE2eGithubTokenValue_0123456789',
  // A token of this test's own: the shared cast's tokens show up in the argument lists of
  // other test files' git commands, which run beside this one.
  ONEDEV_TOKEN: 'onedev-secrets-e2e-token-value-012345678',
  ADMIN_TOKEN: 'admin-secrets-e2e-token-value-0123456789',
  GITHUB_WEBHOOK_SECRET: 'webhook-secrets-e2e-secret-value-012345',
};

/** Encrypts the stored SSH deploy keys; given to the service as KEYS_SECRET_FILE. */
const KEYS_SECRET = 'keys-secret-secrets-e2e-value-0123456789abcdef';
// Without sshd (outside CI) the SSH deploy key part is left out; under CI it is required.
const sshSkip = sshdSkipReason();

/**
 * Each secret as written, and as git's Basic credential for GitHub carries it
 * (`x-access-token:<token>` in base64), so an encoded leak is found too.
 */
function forms(secrets: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { ...secrets };
  for (const [name, value] of Object.entries(secrets)) {
    all[`${name} (Basic, base64)`] = Buffer.from(`x-access-token:${value}`).toString('base64');
    all[`${name} (base64)`] = Buffer.from(value).toString('base64');
  }
  return all;
}

// PGlite runs inside the test process, where the separate service process cannot reach it:
// the PostgreSQL variant needs a server (TEST_DATABASE_URL), which CI always provides.
const noPostgresServer = !process.env.TEST_DATABASE_URL && process.env.CI !== 'true';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every row of every table of the schema, as text. */
async function dumpAllTables(handle: TestDb): Promise<{ tables: string[]; text: string }> {
  const names =
    handle.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
          handle.db,
        )
      : await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
          handle.db,
        );
  const tables = names.rows.map((r) => r.name).sort();
  const dumps: string[] = [];
  for (const table of tables) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(handle.db);
    dumps.push(`${table}: ${JSON.stringify(rows.rows)}`);
  }
  return { tables, text: dumps.join('\n') };
}

describe.each(DIALECTS)('no secret leaks, on %s', (dialect) => {
  let github: GitHubDouble;
  let onedev: OneDevDouble;
  let dir: string;
  let handle: TestDb | undefined;
  let service: ServiceProcess | undefined;
  let sampler: ProcessSampler | undefined;
  let sshd: Sshd | undefined;

  beforeEach(async () => {
    github = await startGitHubDouble({ tokens: { [SECRETS.GITHUB_TOKEN]: 'octocat' } });
    onedev = await startOneDevDouble({
      ...STANDARD_CAST,
      tokens: [
        ...(STANDARD_CAST.tokens ?? []),
        { value: SECRETS.ONEDEV_TOKEN, owner: 'admin', hasOwnerPermissions: true },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'starbridge-secrets-'));
  });
  afterEach(async () => {
    await sampler?.stop();
    sampler = undefined;
    if (service && service.child.exitCode === null) await service.stop('SIGKILL');
    service = undefined;
    await handle?.destroy();
    handle = undefined;
    await sshd?.close();
    sshd = undefined;
    await Promise.all([github.close(), onedev.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(dialect === 'postgres' && noPostgresServer)(
    'shows no token in logs, API answers, tables or process arguments',
    async () => {
      handle = await createTestDb(dialect, { migrate: false });
      const repo = github.addRepo({
        owner: 'octocat',
        name: 'big',
        defaultBranch: 'main',
        private: true,
      });
      await generateLargeRepo(github.repoPath('octocat', 'big'), {
        commits: 3000,
        branches: 20,
        tags: 50,
      });
      // Slow both transfers down so the sampler sees the git processes of each side.
      github.faults.latency(300);
      onedev.faults.latency(1_500, {
        scope: 'git',
        match: (r) => r.method === 'POST' && r.path.endsWith('git-receive-pack'),
      });

      // A second private repository, fetched over SSH with a deploy key the service generates.
      let sshEnv: Record<string, string> = {};
      if (!sshSkip) {
        sshd = await startSshd(github.reposDir);
        const knownHostsFile = join(dir, 'known_hosts');
        const keysSecretFile = join(dir, 'keys_secret');
        writeFileSync(knownHostsFile, sshd.knownHosts);
        writeFileSync(keysSecretFile, `${KEYS_SECRET}\n`, { mode: 0o600 });
        sshEnv = {
          KEYS_SECRET_FILE: keysSecretFile,
          GITHUB_SSH_HOST: '127.0.0.1',
          GITHUB_SSH_PORT: String(sshd.port),
          GITHUB_SSH_USER: sshd.user,
          GITHUB_SSH_KNOWN_HOSTS_FILE: knownHostsFile,
        };
      }
      const keyed = github.addRepo({ owner: 'octocat', name: 'keyed', private: true });
      await new RepoBuilder(github.repoPath('octocat', 'keyed')).commit('main', {
        files: { 'README.md': '# keyed\n' },
      });

      sampler = startProcessSampler();
      service = await startServiceProcess({
        cwd: dir,
        env: {
          DATABASE_URL: handle.databaseUrl as string,
          DATA_DIR: join(dir, 'data'),
          GITHUB_API_URL: github.url,
          GITHUB_GIT_URL: github.url,
          ONEDEV_URL: onedev.url,
          LOG_LEVEL: 'trace',
          ...SECRETS,
          ...sshEnv,
        },
        timeoutMs: 60_000,
      });
      const url = service.url;
      const admin = async (path: string, init: RequestInit = {}, token = SECRETS.ADMIN_TOKEN) => {
        const res = await fetch(`${url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, ...init.headers },
        });
        return { status: res.status, text: await res.text() };
      };
      const send = async (id: number, name: string) => {
        const payload = withRepository(webhookExample('watch', 'started'), {
          id,
          owner: 'octocat',
          name,
          private: true,
        });
        const res = await sendWebhook(`${url}/webhooks/github`, {
          event: 'watch',
          payload,
          secret: SECRETS.GITHUB_WEBHOOK_SECRET,
        });
        expect(res.status).toBe(202);
        return res.text();
      };
      const answers: string[] = [];

      answers.push(await send(repo.id, 'big'));
      // A repository GitHub does not have: its failure message is stored and shown.
      answers.push(await send(990_001, 'ghost'));
      const mirror = async (name: string) => {
        const res = await admin(`/api/v1/mirrors/octocat/${name}`);
        return res.status === 200
          ? (JSON.parse(res.text) as { status: string; lastSyncedAt: string | null })
          : undefined;
      };
      const first = await until('octocat/big to be mirrored (git clone, then push)', async () => {
        const row = await mirror('big');
        return row?.status === 'synced' ? row : undefined;
      });
      await until('octocat/ghost to fail (or pause, as a repository gone from GitHub)', async () =>
        ['failed', 'retrying', 'paused'].includes((await mirror('ghost'))?.status ?? '')
          ? true
          : undefined,
      );
      // A new commit: the next sync fetches into the cache and pushes again.
      await new RepoBuilder(github.repoPath('octocat', 'big')).commit('main');
      expect((await admin('/api/v1/mirrors/octocat/big/sync', { method: 'POST' })).status).toBe(
        202,
      );
      await until('octocat/big to follow the new commit (git fetch, then push)', async () => {
        const row = await mirror('big');
        return row?.status === 'synced' && row.lastSyncedAt !== first.lastSyncedAt
          ? true
          : undefined;
      });
      if (sshd) {
        const created = await admin('/api/v1/keys', {
          method: 'POST',
          body: '{"name": "keyed-deploy"}',
          headers: { 'content-type': 'application/json' },
        });
        expect(created.status).toBe(201);
        answers.push(created.text);
        sshd.authorize([(JSON.parse(created.text) as { publicKey: string }).publicKey]);
        answers.push(await send(keyed.id, 'keyed'));
        const before = await until('octocat/keyed to be mirrored over HTTPS', async () => {
          const row = await mirror('keyed');
          return row?.status === 'synced' ? row : undefined;
        });
        const set = await admin('/api/v1/mirrors/octocat/keyed/ssh-key', {
          method: 'POST',
          body: '{"key": "keyed-deploy"}',
          headers: { 'content-type': 'application/json' },
        });
        expect(set.status).toBe(200);
        await new RepoBuilder(github.repoPath('octocat', 'keyed')).commit('main');
        expect((await admin('/api/v1/mirrors/octocat/keyed/sync', { method: 'POST' })).status).toBe(
          202,
        );
        await until('octocat/keyed to follow over SSH', async () => {
          const row = await mirror('keyed');
          return row?.status === 'synced' && row.lastSyncedAt !== before.lastSyncedAt
            ? true
            : undefined;
        });
        expect(sshd.log()).toContain('Accepted publickey');
        answers.push((await admin('/api/v1/keys')).text);
        answers.push((await admin('/api/v1/mirrors/octocat/keyed/ssh-key')).text);
      }
      const seen = await sampler.stop();
      sampler = undefined;

      for (const path of [
        '/api/v1/mirrors',
        '/api/v1/mirrors?status=failed',
        '/api/v1/mirrors/octocat/big',
        '/api/v1/mirrors/octocat/big/runs',
        '/api/v1/mirrors/octocat/ghost',
        '/api/v1/mirrors/octocat/ghost/runs',
        '/api/v1/deliveries',
        '/api/v1/mirrors/nobody/nothing',
        '/health',
      ]) {
        answers.push((await admin(path)).text);
      }
      const errors = [
        await admin('/api/v1/mirrors', {
          method: 'POST',
          body: '{"fullName": 12}',
          headers: { 'content-type': 'application/json' },
        }),
        await admin('/api/v1/mirrors', {}, `${SECRETS.ADMIN_TOKEN}x`),
        await admin('/api/v1/mirrors/octocat/ghost/retry', { method: 'POST' }),
      ];
      expect(errors.map((e) => e.status).slice(0, 2)).toEqual([400, 401]);
      answers.push(...errors.map((e) => e.text));
      const ghost = JSON.parse((await admin('/api/v1/mirrors/octocat/ghost')).text) as {
        lastError?: string | null;
      };
      expect(ghost.lastError).toBeTruthy();

      expect(await service.stop('SIGTERM')).toBe(0);
      const logs = service.output();
      const { tables, text: rows } = await dumpAllTables(handle);

      // The search covered real material: the sync ran, tables hold its traces, git ran.
      expect(logs).toContain('"msg":"sync finished"');
      expect(tables).toEqual(
        expect.arrayContaining(['mirrors', 'sync_runs', 'webhook_deliveries']),
      );
      expect(rows).toContain('octocat/big');
      expect(seen.samples).toBeGreaterThan(100);
      // Git's own processes (git, git-remote-http, send-pack…) with each side's URL.
      const gitWith = (pattern: RegExp, base: string) =>
        seen.argLists.some((args) => pattern.test(args) && args.includes(base));
      expect(gitWith(/^git .* clone /, github.url), 'git clone from GitHub seen').toBe(true);
      expect(gitWith(/^git .* fetch /, github.url), 'git fetch from GitHub seen').toBe(true);
      expect(gitWith(/git-remote-http /, github.url), 'git helper for GitHub seen').toBe(true);
      expect(gitWith(/^git .* push /, onedev.url), 'git push to OneDev seen').toBe(true);
      expect(gitWith(/git send-pack /, onedev.url), 'git send-pack to OneDev seen').toBe(true);

      // The deploy key's private half, as the service stored it (decrypted here with the
      // secret), and the secret itself: neither may show anywhere either.
      const keySecrets: Record<string, string> = {};
      if (sshd) {
        expect(
          seen.argLists.some((args) => /^ssh .*-i \S+/.test(args)),
          'ssh to the sshd seen',
        ).toBe(true);
        const stored = await sql<{
          private_key_encrypted: string;
        }>`select private_key_encrypted from ssh_keys where name = 'keyed-deploy'`.execute(
          handle.db,
        );
        const encrypted = stored.rows[0]?.private_key_encrypted ?? '';
        const privateKey = decryptPrivateKey(KEYS_SECRET, 'keyed-deploy', encrypted);
        expect(privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
        keySecrets.KEYS_SECRET = KEYS_SECRET;
        keySecrets['KEYS_SECRET (base64)'] = Buffer.from(KEYS_SECRET).toString('base64');
        keySecrets['private key'] = privateKey.trim();
        privateKey
          .split('\n')
          .filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line))
          .forEach((line, i) => {
            keySecrets[`private key line ${i + 1}`] = line;
          });
        expect(Object.keys(keySecrets).length).toBeGreaterThan(4);
      }
      const places = {
        logs,
        answers: answers.join('\n'),
        rows,
        processArguments: seen.argLists.join('\n'),
      };
      for (const [name, value] of Object.entries({ ...forms(SECRETS), ...keySecrets })) {
        for (const [where, text] of Object.entries(places)) {
          expect(text.includes(value), `${name} found in ${where}`).toBe(false);
        }
      }
    },
    240_000,
  );
});
