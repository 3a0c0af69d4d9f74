import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

function problemsOf(env: Record<string, string>, readFile?: (p: string) => string): string[] {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const SECRET = 'k'.repeat(40);

describe('SSH deploy key settings', () => {
  it("default to no secret and GitHub's SSH endpoint with its published host keys", () => {
    const config = loadConfig({});
    expect(config.keys).toEqual({ secret: undefined });
    expect(config.githubSsh).toEqual({
      user: 'git',
      host: 'github.com',
      port: 22,
      knownHosts: undefined,
    });
  });

  it('read the secret from KEYS_SECRET_FILE and the host keys from GITHUB_SSH_KNOWN_HOSTS_FILE', () => {
    const files: Record<string, string> = {
      '/run/secrets/keys': `${SECRET}\n`,
      '/etc/starbridge/known_hosts': 'ghe.example.com ssh-ed25519 AAAAC3Nza\n',
    };
    const config = loadConfig(
      {
        KEYS_SECRET_FILE: '/run/secrets/keys',
        GITHUB_SSH_HOST: 'ghe.example.com',
        GITHUB_SSH_PORT: '2222',
        GITHUB_SSH_KNOWN_HOSTS_FILE: '/etc/starbridge/known_hosts',
      },
      (path) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return text;
      },
    );
    expect(config.keys.secret).toBe(SECRET);
    expect(config.githubSsh).toEqual({
      user: 'git',
      host: 'ghe.example.com',
      port: 2222,
      knownHosts: 'ghe.example.com ssh-ed25519 AAAAC3Nza\n',
    });
  });

  it('refuse a short secret, a host with a user or option, and an unreadable or empty known_hosts', () => {
    const problems = problemsOf(
      {
        KEYS_SECRET: 'short',
        GITHUB_SSH_HOST: '-oProxyCommand=x',
        GITHUB_SSH_USER: 'git@github.com',
        GITHUB_SSH_PORT: '70000',
        GITHUB_SSH_KNOWN_HOSTS_FILE: '/nope',
      },
      () => {
        throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^KEYS_SECRET: must be at least 32 characters/),
        expect.stringMatching(/^GITHUB_SSH_HOST: must be a host name/),
        expect.stringMatching(/^GITHUB_SSH_USER: must be a user name/),
        expect.stringMatching(/^GITHUB_SSH_PORT: /),
        'GITHUB_SSH_KNOWN_HOSTS_FILE: cannot read /nope (ENOENT)',
      ]),
    );
    expect(problemsOf({ GITHUB_SSH_KNOWN_HOSTS_FILE: '/empty' }, () => '# nothing here\n')).toEqual(
      ['GITHUB_SSH_KNOWN_HOSTS_FILE: /empty has no known_hosts line (host key-type key)'],
    );
    expect(problemsOf({ KEYS_SECRET: SECRET, KEYS_SECRET_FILE: '/x' }, () => SECRET)).toEqual([
      'KEYS_SECRET, KEYS_SECRET_FILE: set only one of them',
    ]);
  });
});
