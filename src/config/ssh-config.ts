import { readFileSync } from 'node:fs';
import type { Config } from './config.types.js';

/** The SSH variables as parsed: what `sshConfig` reads. */
export interface SshRaw {
  KEYS_SECRET?: string | undefined;
  GITHUB_SSH_USER: string;
  GITHUB_SSH_HOST: string;
  GITHUB_SSH_PORT: number;
}

/** SSH deploy keys: the secret's strength and the SSH endpoint's names. */
export function sshProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.KEYS_SECRET !== undefined && raw.KEYS_SECRET.length < 32) {
    problems.push(
      'KEYS_SECRET: must be at least 32 characters of random text (for example `openssl rand -base64 32`)',
    );
  }
  if (raw.GITHUB_SSH_HOST && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(raw.GITHUB_SSH_HOST)) {
    problems.push(
      'GITHUB_SSH_HOST: must be a host name such as github.com (no user, port or path)',
    );
  }
  if (raw.GITHUB_SSH_USER && !/^[a-z_][a-z0-9_.-]{0,31}$/.test(raw.GITHUB_SSH_USER)) {
    problems.push('GITHUB_SSH_USER: must be a user name such as git');
  }
  return problems;
}

export function readKnownHosts(
  path: string | undefined,
  problems: string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  if (!path) return undefined;
  try {
    const text = readFile(path);
    if (!/^\S+\s+(ssh-|ecdsa-)\S+\s+\S+/m.test(text)) {
      problems.push(
        `GITHUB_SSH_KNOWN_HOSTS_FILE: ${path} has no known_hosts line (host key-type key)`,
      );
    }
    return text;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`GITHUB_SSH_KNOWN_HOSTS_FILE: cannot read ${path} (${reason})`);
    return undefined;
  }
}

export function sshConfig(
  raw: SshRaw,
  knownHosts: string | undefined,
): Pick<Config, 'keys' | 'githubSsh'> {
  return {
    keys: { secret: raw.KEYS_SECRET },
    githubSsh: {
      user: raw.GITHUB_SSH_USER,
      host: raw.GITHUB_SSH_HOST,
      port: raw.GITHUB_SSH_PORT,
      knownHosts,
    },
  };
}
