import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What is running: the package version, the Node.js version and the source commit. */
export interface BuildInfo {
  version: string;
  node: string;
  /** Short commit id; `unknown` outside a git checkout when STARBRIDGE_GIT_COMMIT is unset. */
  git: string;
}

let cached: BuildInfo | undefined;

/** Read once per process: from source (`src/`) and compiled (`dist/src/`) alike. */
// biome-ignore lint/style/noProcessEnv: the image's build argument names the commit; it is not configuration
export function readBuildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  cached ??= {
    version: readPackageVersion(),
    node: process.version,
    git: env.STARBRIDGE_GIT_COMMIT?.trim() || readGitCommit(),
  };
  return cached;
}

/** The folder holding package.json, found upwards from this module (src/ and dist/src/ differ in depth). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the program');
    dir = parent;
  }
  return dir;
}

function readPackageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

function readGitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
      encoding: 'utf8',
    }).trim();
  } catch {
    // An image or a tarball has no .git: the build argument is the only source there.
    return 'unknown';
  }
}
