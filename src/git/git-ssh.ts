import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshAccess } from './git.port.js';

/** The ssh command for one git command, and the cleanup that deletes its key file. */
export interface SshSession {
  command: string;
  close(): Promise<void>;
}

/**
 * Writes the key (0600) and the accepted host keys into a fresh 0700 folder under git's
 * HOME and builds the `GIT_SSH_COMMAND` that uses only them
 * (docs/reference/github.md#ssh-host-keys): no ssh config file, no agent, no other
 * identity, no prompt, and no host whose key is not listed. The caller deletes the folder
 * with `close()` as soon as git has exited.
 */
export async function openSshSession(homeDir: string, access: SshAccess): Promise<SshSession> {
  const dir = await mkdtemp(join(homeDir, 'ssh-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    const keyFile = join(dir, 'id_ed25519');
    const knownHosts = join(dir, 'known_hosts');
    const key = access.privateKey.endsWith('\n') ? access.privateKey : `${access.privateKey}\n`;
    await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' });
    await writeFile(knownHosts, access.knownHosts, { mode: 0o600, flag: 'wx' });
    const options = [
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      'BatchMode=yes',
      'StrictHostKeyChecking=yes',
      // ssh splits this option's value at spaces (it takes a list): quote the path.
      `UserKnownHostsFile="${knownHosts}"`,
      'GlobalKnownHostsFile=/dev/null',
      'UpdateHostKeys=no',
      'PasswordAuthentication=no',
      'KbdInteractiveAuthentication=no',
      'ForwardAgent=no',
      'ClearAllForwardings=yes',
      'ConnectTimeout=30',
      'ServerAliveInterval=15',
      'ServerAliveCountMax=4',
      `Port=${access.port}`,
    ];
    const words = ['ssh', '-F', '/dev/null', '-i', keyFile, ...options.flatMap((o) => ['-o', o])];
    // git runs GIT_SSH_COMMAND through sh: every word is quoted.
    return { command: words.map(shellQuote).join(' '), close };
  } catch (error) {
    await close();
    throw error;
  }
}

function shellQuote(word: string): string {
  return /^[\w./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
