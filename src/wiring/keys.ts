import type { DbHandle } from '../db/database.js';
import type { MirrorRow } from '../db/schema/index.js';
import type { GitRemote } from '../git/git.port.js';
import { GITHUB_KNOWN_HOSTS } from '../keys/github-host-keys.js';
import { createKeysService, type KeysService } from '../keys/keys.service.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { Clock } from '../shared/clock.js';

/** The SSH endpoint mirrors with a deploy key fetch from (GITHUB_SSH_*). */
export interface GitHubSshSettings {
  user: string;
  host: string;
  port: number;
  /** known_hosts text; undefined: GitHub's published host keys. */
  knownHosts?: string;
}

export interface KeysFeature {
  service: KeysService;
  /** The SSH remote of a mirror set to a deploy key; undefined: it fetches over HTTPS. */
  sshRemoteFor(
    mirror: Pick<MirrorRow, 'github_id' | 'owner' | 'name'>,
  ): Promise<GitRemote | undefined>;
}

/** Deploy keys and the SSH remotes of the mirrors that use them. */
export function wireKeys(ports: {
  handle: DbHandle;
  clock: Clock;
  secret: string | undefined;
  ssh: GitHubSshSettings;
  findMirror: (owner: string, name: string) => Promise<Mirror | undefined>;
}): KeysFeature {
  const service = createKeysService({
    handle: ports.handle,
    clock: ports.clock,
    secret: ports.secret,
    findMirror: ports.findMirror,
  });
  const { user, host, port } = ports.ssh;
  const knownHosts = ports.ssh.knownHosts ?? GITHUB_KNOWN_HOSTS;
  return {
    service,
    async sshRemoteFor(mirror) {
      const key = await service.privateKeyFor(Number(mirror.github_id));
      if (!key) return undefined;
      return {
        url: `${user}@${host}:${mirror.owner}/${mirror.name}.git`,
        ssh: { privateKey: key.privateKey, knownHosts, port },
      };
    },
  };
}
