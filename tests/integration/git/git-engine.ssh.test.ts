import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitEngine } from '../../../src/git/git.adapter.js';
import type { GitRemote } from '../../../src/git/git.port.js';
import { generateEd25519 } from '../../../src/keys/openssh-key.js';
import {
  createBareRepo,
  makeTempDir,
  RepoBuilder,
  removeTempDir,
} from '../../support/git-repos.js';
import { type Sshd, sshdSkipReason, startSshd } from '../../support/sshd.js';
import { expectNoSecret, mirroredRefs, spawnSpy } from './git-fixtures.js';

const skip = sshdSkipReason();

/**
 * The git engine over SSH against a real sshd: what ssh is told (only the given key, no
 * agent, no prompt, only the listed host key), that the key is never in argv or the
 * environment, and that its file is 0600 while git runs and gone afterwards.
 */
describe.skipIf(skip)('git engine over SSH', () => {
  let dir: string;
  let sshd: Sshd;
  let repo: RepoBuilder;
  const key = generateEd25519('engine-test');

  beforeAll(async () => {
    dir = await makeTempDir('starbridge-git-ssh-');
    const path = await createBareRepo(join(dir, 'repos'), 'octocat/private.git');
    repo = new RepoBuilder(path);
    await repo.commit('main', { files: { 'a.txt': 'a\n' } });
    await repo.tag('v1', 'main');
    sshd = await startSshd(join(dir, 'repos'));
    sshd.authorize([key.publicKey]);
  });
  afterAll(async () => {
    await sshd?.close();
    await removeTempDir(dir);
  });
  const saved = process.env.SSH_AUTH_SOCK;
  afterEach(() => {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  });

  const remote = (privateKey = key.privateKey): GitRemote => ({
    url: `${sshd.user}@127.0.0.1:octocat/private.git`,
    ssh: { privateKey, knownHosts: sshd.knownHosts, port: sshd.port },
  });

  it('fetches with only the given key, strict host keys and no agent; the key file lives only while git runs', async () => {
    process.env.SSH_AUTH_SOCK = '/tmp/some-agent.sock';
    const spy = spawnSpy();
    // A space in DATA_DIR must survive GIT_SSH_COMMAND's shell and ssh's option parsing.
    const homeDir = join(dir, 'home with space');
    const modes: number[] = [];
    const engine = createGitEngine({
      homeDir,
      allowHttp: false,
      path: process.env.PATH,
      spawn: (command, args, options) => {
        const env = options.env as Record<string, string>;
        const keyFile = /-i '([^']+)'/.exec(env.GIT_SSH_COMMAND ?? '')?.[1];
        if (keyFile) modes.push(statSync(keyFile).mode & 0o777);
        return spy.spawn(command, args, options);
      },
    });

    const listed = await engine.lsRemote(remote());
    expect(listed.refs).toEqual(await mirroredRefs(repo.path));
    const cached = await engine.fetchToCache(join(dir, 'cache', '1.git'), remote());
    expect(cached).toEqual(await mirroredRefs(repo.path));

    const sshCalls = spy.calls.filter((call) => call.env.GIT_SSH_COMMAND);
    expect(sshCalls.length).toBeGreaterThanOrEqual(2);
    expect(modes).toEqual(sshCalls.map(() => 0o600));
    for (const call of sshCalls) {
      const command = call.env.GIT_SSH_COMMAND ?? '';
      for (const option of [
        '-F /dev/null',
        '-o IdentitiesOnly=yes',
        '-o IdentityAgent=none',
        '-o BatchMode=yes',
        '-o StrictHostKeyChecking=yes',
        '-o GlobalKnownHostsFile=/dev/null',
        `-o Port=${sshd.port}`,
      ])
        expect(command).toContain(option);
      expect(call.env.SSH_AUTH_SOCK).toBeUndefined();
      expect(call.env.GIT_ALLOW_PROTOCOL).toBe('https:ssh');
      const everything = JSON.stringify([call.args, call.env]);
      expect(everything).not.toContain('PRIVATE KEY');
      expect(everything).not.toContain(key.privateKey.split('\n')[1]);
    }
    // Commands that talk to no SSH remote may not use ssh at all.
    for (const call of spy.calls.filter((c) => !c.env.GIT_SSH_COMMAND)) {
      expect(call.env.GIT_ALLOW_PROTOCOL).toBe('https');
    }
    expect(readdirSync(homeDir).filter((entry) => entry.startsWith('ssh-'))).toEqual([]);
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.user}`);
    expect(sshd.log()).toContain(key.fingerprint);
  });

  it('says the key was refused, and leaks no key, when the server does not know it', async () => {
    const other = generateEd25519('not-authorized');
    const homeDir = join(dir, 'home-refused');
    const engine = createGitEngine({ homeDir, allowHttp: false, path: process.env.PATH });
    const error = await engine.lsRemote(remote(other.privateKey)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', reason: 'git_auth' });
    expect((error as Error).message).toContain("127.0.0.1 refused the mirror's SSH key");
    expectNoSecret(error, other.privateKey.split('\n')[1] ?? 'x');
    expect(existsSync(homeDir) && readdirSync(homeDir).some((e) => e.startsWith('ssh-'))).toBe(
      false,
    );
  });

  it('refuses remotes that are not user@host:owner/name.git', async () => {
    const engine = createGitEngine({ homeDir: join(dir, 'home-bad'), allowHttp: false });
    for (const url of [
      '-oProxyCommand=touch@x:o/n.git',
      'git@-oProxyCommand=x:o/n.git',
      'ssh://git@127.0.0.1/o/n.git',
      'git@127.0.0.1:/etc/passwd.git',
      'git@127.0.0.1:o/n.git extra',
    ]) {
      const error = await engine.lsRemote({ ...remote(), url }).catch((e: unknown) => e);
      expect((error as Error).message, url).toContain('only user@host:owner/name.git is allowed');
    }
  });
});
