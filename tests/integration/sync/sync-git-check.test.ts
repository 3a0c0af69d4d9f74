import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/cli.js';
import { loadConfig } from '../../../src/config/config.js';
import { GitInstallationError } from '../../../src/git/git-installation.js';
import { createLogger } from '../../../src/shared/logger.js';

describe('starbridge sync without a usable git', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses before touching the database, as serve does (G14)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'starbridge-no-git-'));
    const database = join(dir, 'sb.db');
    const lines: string[] = [];
    const run = runCommand('sync', ['octocat/hello'], {
      config: loadConfig({
        DATABASE_URL: `sqlite:${database}`,
        ONEDEV_URL: 'http://127.0.0.1:9',
        ONEDEV_TOKEN: 't',
      }),
      log: createLogger({ level: 'silent' }),
      out: (line) => lines.push(line),
      serve: async () => 0,
      // A PATH with no git on it.
      gitPath: dir,
    });
    await expect(run).rejects.toThrow(GitInstallationError);
    await expect(run).rejects.toThrow(/git was not found .* needs git/);
    expect(lines).toEqual([]);
    expect(existsSync(database)).toBe(false);
  });
});
