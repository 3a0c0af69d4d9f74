import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BranchProtectionRule, TagProtectionRule } from './types.js';

/**
 * Receive hooks for the double's bare repositories. OneDev's native hook POSTs the ref
 * updates back to the server (docs/reference/onedev.md#push-rules); here the checks run in
 * `receive-hook.cjs` itself and get what they need through environment variables, which
 * `git http-backend` → `git receive-pack` → hook all inherit.
 */

const HOOK_SCRIPT = fileURLToPath(new URL('./receive-hook.cjs', import.meta.url));

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** Small sh wrappers: a `.cjs` file is CommonJS whatever package.json says. */
export async function installHooks(repoDir: string): Promise<void> {
  const dir = join(repoDir, 'hooks');
  await mkdir(dir, { recursive: true });
  for (const hook of ['pre-receive', 'post-receive']) {
    const file = join(dir, hook);
    await writeFile(
      file,
      `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(HOOK_SCRIPT)} ${hook}\n`,
    );
    await chmod(file, 0o755);
  }
}

export interface HookContext {
  /** `SecurityUtils.canManageProject` for the pusher: may it touch refs/pulls and refs/updates? */
  canManage: boolean;
  /** The pusher's login, for the rules' user match (docs/reference/onedev.md#protection-rules). */
  user: string;
  /**
   * Rules of the project and its ancestors (`getHierarchyBranchProtections`,
   * docs/reference/onedev.md#push-rules).
   */
  branchProtections: BranchProtectionRule[];
  tagProtections: TagProtectionRule[];
  /** Used for the "Create a pull request" hint the post-receive prints. */
  projectUrl: string;
  projectId: number;
  /** Refused by a hook outside OneDev's own checks (a test switch; none by default). */
  refusedRefPrefixes?: string[];
}

export function hookEnv(ctx: HookContext): Record<string, string> {
  return {
    // A developer's global core.hooksPath would silently bypass these hooks.
    GIT_CONFIG_GLOBAL: '/dev/null',
    ONEDEV_DOUBLE_CAN_MANAGE: ctx.canManage ? '1' : '0',
    ONEDEV_DOUBLE_USER: ctx.user,
    ONEDEV_DOUBLE_BRANCH_PROTECTIONS: JSON.stringify(ctx.branchProtections),
    ONEDEV_DOUBLE_TAG_PROTECTIONS: JSON.stringify(ctx.tagProtections),
    ONEDEV_DOUBLE_PROJECT_URL: ctx.projectUrl,
    ONEDEV_DOUBLE_PROJECT_ID: String(ctx.projectId),
    ONEDEV_DOUBLE_REFUSED_PREFIXES: JSON.stringify(ctx.refusedRefPrefixes ?? []),
  };
}
