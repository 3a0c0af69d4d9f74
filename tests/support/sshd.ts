import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Debian's OpenSSH server, installed by `.ci/run` (apt-get install openssh-server). */
export const SSHD_PATH = '/usr/sbin/sshd';

/**
 * Why the sshd suites cannot run here, or undefined when they can. Under CI sshd is
 * required: a missing one throws, so the suite fails instead of passing by skipping.
 */
export function sshdSkipReason(): string | undefined {
  const missing = [SSHD_PATH, '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/bin/git-shell'].filter(
    (path) => !existsSync(path),
  );
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(', ')} not installed (apt-get install openssh-server openssh-client git)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
}

export interface Sshd {
  port: number;
  /** The user to log in as: the one running the tests (sshd runs as that user too). */
  user: string;
  /** A known_hosts file's text that accepts exactly this server's host key. */
  knownHosts: string;
  /** Replaces the public keys allowed to log in. */
  authorize(publicKeys: string[]): void;
  /** The server's log so far (sshd -e). */
  log(): string;
  close(): Promise<void>;
}

/**
 * A real sshd on loopback with its own config, host key and random high port, serving the
 * bare repositories under `reposDir` (`<owner>/<name>.git`) through `git-shell` only
 * (ForceCommand), as GitHub serves `git@github.com:<owner>/<name>.git`. Only keys given to
 * `authorize` log in.
 */
export async function startSshd(reposDir: string): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('/usr/bin/ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'test-host',
    '-f',
    hostKey,
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, '', { mode: 0o600 });
  const user = userInfo().username;
  // As root sshd separates privileges into this directory, which systemd usually makes.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'AllowTcpForwarding no',
      'AllowAgentForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'LogLevel VERBOSE',
      `ForceCommand cd '${reposDir}' && exec git-shell -c "$SSH_ORIGINAL_COMMAND"`,
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  await waitForPort(port, child, () => log);
  const publicHostKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2);
  return {
    port,
    user,
    knownHosts: `[127.0.0.1]:${port} ${publicHostKey.join(' ')}\n`,
    authorize(keys) {
      writeFileSync(authorizedKeys, keys.map((k) => `${k.trim()}\n`).join(''), { mode: 0o600 });
    },
    log: () => log,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A host key other than the server's, for a "changed host key" known_hosts. */
export function otherHostKey(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-hostkey-'));
  try {
    const file = join(dir, 'key');
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    const [type, key] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
    return `[127.0.0.1]:${port} ${type} ${key}\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}
