import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo', () => {
  it('mirrors a starred repository, follows a push, and prints what to try', async () => {
    // The command the README gives, with --once so it ends after showing the mirror follow.
    const child = spawn('npm', ['run', '--silent', 'demo', '--', '--once'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('mirrored into OneDev as github/octocat/hello-world');
    expect(output).toMatch(/refs\/tags\/v1\.0\.0/);
    expect(output).toMatch(/OneDev's main is now [0-9a-f]{12}, the new commit/);
    expect(output).toContain('/api/v1/mirrors');
    expect(output).toContain('Demo finished.');
  }, 120_000);
});
