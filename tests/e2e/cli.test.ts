import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../support/service-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const ENTRY = join(ROOT, 'src/entry.ts');
/** Debian's own Node.js, older than the supported one on the machines that run these tests. */
const OLD_NODE = '/usr/bin/node';
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(node: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      node,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() }, timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** `starbridge <args>` from source, the way `npm run starbridge` runs it compiled. */
const starbridge = (args: string[], cwd: string) =>
  run(process.execPath, ['--import', TSX_LOADER, ENTRY, ...args], cwd);

describe('the starbridge command line', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the version with --version and -v', async () => {
    const cwd = tempDir();
    for (const flag of ['--version', '-v']) {
      expect(await starbridge([flag], cwd)).toEqual({
        code: 0,
        stdout: `starbridge ${VERSION}\n`,
        stderr: '',
      });
    }
  });

  it('answers `status --help` with its usage and creates no database', async () => {
    const cwd = tempDir();
    const help = await starbridge(['status', '--help'], cwd);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: starbridge status \[--mirrors\]/);
    for (const args of [['reconcile', '-h'], ['help', 'sync'], ['--help']]) {
      expect((await starbridge(args, cwd)).code).toBe(0);
    }
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('reports a usage error on stderr with exit 64, before opening any database', async () => {
    const cwd = tempDir();
    const wrong = await starbridge(['status', '--everything'], cwd);
    expect(wrong.code).toBe(64);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/unexpected arguments: --everything\nusage: starbridge status/);
    const unknown = await starbridge(['stauts'], cwd);
    expect(unknown).toMatchObject({ code: 64, stdout: '' });
    expect(unknown.stderr).toMatch(/unknown command "stauts"; run `starbridge --help`/);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it.skipIf(!existsSync(OLD_NODE))(
    'refuses an older Node.js in one line that says what to install',
    async () => {
      const cwd = tempDir();
      const old = await run(OLD_NODE, ['--version'], cwd);
      if (Number(old.stdout.slice(1).split('.')[0]) >= 24) return;
      for (const args of [
        ['--import', TSX_LOADER, ENTRY, 'serve'],
        [join(ROOT, 'bin/starbridge.js')],
      ]) {
        const refused = await run(OLD_NODE, args, cwd);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr.trimEnd().split('\n')).toEqual([
          expect.stringMatching(
            /^starbridge needs Node\.js 24 or newer, but this is v20[\d.]+: install Node\.js 24 /,
          ),
        ]);
      }
    },
  );

  it('says to build when bin/starbridge.js runs without dist/', async () => {
    const checkout = tempDir();
    mkdirSync(join(checkout, 'bin'));
    cpSync(join(ROOT, 'bin/starbridge.js'), join(checkout, 'bin/starbridge.js'));
    const missing = await run(process.execPath, [join(checkout, 'bin/starbridge.js')], checkout);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `starbridge is not built (${checkout}/dist/src/main.js is missing): run \`npm ci && npm run build\` in ${checkout}/\n`,
    );
  });

  it('says in its startup line which URL to open', async () => {
    const dir = tempDir();
    const service = await startServiceProcess({
      cwd: dir,
      env: { DATABASE_URL: `sqlite:${join(dir, 'sb.db')}`, DATA_DIR: dir, CONTAINER_SOCKET: '' },
    });
    try {
      const port = new URL(service.url).port;
      expect(service.output()).toMatch(
        new RegExp(`"open":"http://127\\.0\\.0\\.1:${port}/"[^\\n]*"msg":"starbridge listening"`),
      );
    } finally {
      await service.stop();
    }
  });
});
