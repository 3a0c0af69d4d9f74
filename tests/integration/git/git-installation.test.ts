import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import {
  checkGitInstallation,
  GitInstallationError,
  isPatchedGitVersion,
  REQUIRED_GIT,
} from '../../../src/git/git-installation.js';
import { gitHealthProbe } from '../../../src/health/git-health.js';
import { startService } from '../../../src/service.js';
import { createLogger } from '../../../src/shared/logger.js';

/**
 * The start-up check of the git binary and the `git` component of GET /health
 * (docs/reference/bad-inputs.md#g14).
 */

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'git-installation-'));
  dirs.push(dir);
  return dir;
}

/**
 * A PATH whose only `git` is a script printing `output` and exiting with `code`: versions
 * other than the installed one cannot be had otherwise.
 */
async function pathWithGit(output: string, code = 0): Promise<string> {
  const dir = await tempDir();
  const script = join(dir, 'git');
  await writeFile(
    script,
    `#!/bin/sh\nprintf '%s\\n' '${output}' >&${code === 0 ? 1 : 2}\nexit ${code}\n`,
  );
  await chmod(script, 0o755);
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<GitInstallationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitInstallationError);
  return error as GitInstallationError;
}

describe('checkGitInstallation', () => {
  it('accepts the installed git and reports its version', async () => {
    const installed = /git version (\d+\.\d+\.\d+)/.exec(
      execFileSync('git', ['--version'], { encoding: 'utf8' }),
    )?.[1];
    expect(await checkGitInstallation()).toEqual({ version: installed });
  });

  it('refuses a missing git, saying which versions are needed and how to get one', async () => {
    const empty = await tempDir();
    const error = await refusal(checkGitInstallation({ path: empty }));
    expect(error.message).toContain(
      `git was not found or cannot be started (ENOENT; searched PATH=${empty})`,
    );
    expect(error.message).toContain(`needs ${REQUIRED_GIT}`);
    expect(error.message).toContain('apt-get install git');
  });

  it('refuses a git older than the patched baseline', async () => {
    const error = await refusal(
      checkGitInstallation({ path: await pathWithGit('git version 2.34.1') }),
    );
    expect(error.message).toMatch(/^git 2\.34\.1 is too old: it lacks the May 2024 security fixes/);
    expect(error.message).toContain('2.39.4');
    const apple = await refusal(
      checkGitInstallation({ path: await pathWithGit('git version 2.39.3 (Apple Git-146)') }),
    );
    expect(apple.message).toMatch(/^git 2\.39\.3 is too old/);
    expect(
      await checkGitInstallation({ path: await pathWithGit('git version 2.45.1.windows.1') }),
    ).toEqual({ version: '2.45.1' });
  });

  it('refuses a git that does not answer --version', async () => {
    const error = await refusal(
      checkGitInstallation({ path: await pathWithGit('fatal: cannot exec', 128) }),
    );
    expect(error.message).toMatch(/^git --version did not work \(exit 128: fatal: cannot exec\)/);
  });

  it.each([
    ['2.38.9', false],
    ['2.39.3', false],
    ['2.39.4', true],
    ['2.40.1', false],
    ['2.40.2', true],
    ['2.43.3', false],
    ['2.43.4', true],
    ['2.45.0', false],
    ['2.45.1', true],
    ['2.46.0', true],
    ['3.0.0', true],
    ['1.9.9', false],
  ])('treats git %s as patched: %s', (version, patched) => {
    const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
    expect(isPatchedGitVersion(major, minor, patch)).toBe(patched);
  });
});

describe('the git health component', () => {
  it('is ok with the version, or down with the reason', async () => {
    expect(await gitHealthProbe().check()).toEqual({ status: 'ok', version: expect.any(String) });
    const missing = await gitHealthProbe({ path: await tempDir() }).check();
    expect(missing.status).toBe('down');
    expect(missing.message).toMatch(/^git was not found/);
  });
});

describe('the service at start-up', () => {
  const log = createLogger({ level: 'silent' });
  const configIn = (dataDir: string) =>
    loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'starbridge.db')}`,
      HOST: '127.0.0.1',
      PORT: '0',
    });

  it('refuses to start without a usable git, before opening the database', async () => {
    const dataDir = await tempDir();
    const error = await refusal(
      startService(configIn(dataDir), log, { gitPath: await pathWithGit('git version 2.30.2') }),
    );
    expect(error.message).toMatch(/^git 2\.30\.2 is too old/);
    expect(existsSync(join(dataDir, 'starbridge.db'))).toBe(false);
  });

  it('reports git in GET /health', async () => {
    const service = await startService(configIn(await tempDir()), log);
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/health`);
      const body = (await res.json()) as { components: Record<string, unknown> };
      expect(body.components.git).toEqual({ status: 'ok', version: expect.stringMatching(/^2\./) });
    } finally {
      await service.stop();
    }
  });
});
