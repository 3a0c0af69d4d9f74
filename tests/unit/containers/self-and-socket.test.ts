import { describe, expect, it } from 'vitest';
import { isSelf, readSelfIdentity } from '../../../src/containers/self-container.js';
import { connectionError, statusError } from '../../../src/engine/engine-errors.js';
import { resolveSocket } from '../../../src/engine/engine-socket.js';

const ID = 'c0ffee'.padEnd(64, '1');
const OTHER = 'beef'.padEnd(64, '2');

describe('own container detection', () => {
  const files = (map: Record<string, string>) => (path: string) => {
    const text = map[path];
    if (text === undefined) throw new Error('ENOENT');
    return text;
  };

  it('finds the id in the /etc/hostname mount, not in other containers mounts', () => {
    const mountinfo = [
      `1 2 0:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/x rw`,
      `3 2 0:1 /overlay-containers/${OTHER}/userdata/shm /run/x/shm rw - tmpfs shm rw`,
    ].join('\n');
    const self = readSelfIdentity(files({ '/proc/self/mountinfo': mountinfo }), 'web-1');
    expect(isSelf(self, { id: ID, name: 'starbridge' })).toBe(true);
    expect(isSelf(self, { id: OTHER, name: 'other' })).toBe(false);
  });

  it('matches the default hostname (short id), the name, cgroup and .containerenv', () => {
    expect(isSelf(readSelfIdentity(files({}), ID.slice(0, 12)), { id: ID, name: 'x' })).toBe(true);
    expect(isSelf(readSelfIdentity(files({}), 'starbridge'), { id: ID, name: 'starbridge' })).toBe(
      true,
    );
    const cgroup = `0::/system.slice/libpod-${ID}.scope`;
    expect(
      isSelf(readSelfIdentity(files({ '/proc/self/cgroup': cgroup }), 'h'), { id: ID, name: 'x' }),
    ).toBe(true);
    const env = `engine="podman-4.3.1"\nname="sb"\nid="${ID}"\n`;
    expect(
      isSelf(readSelfIdentity(files({ '/run/.containerenv': env }), 'h'), { id: ID, name: 'x' }),
    ).toBe(true);
  });

  it('outside a container nothing is self', () => {
    const self = readSelfIdentity(files({ '/proc/self/cgroup': '0::/user.slice\n' }), 'laptop');
    expect(isSelf(self, { id: ID, name: 'web' })).toBe(false);
  });
});

describe('socket choice and engine errors', () => {
  it('uses the configured socket, none when off, else the first that exists', () => {
    const exists = (path: string) => path === '/run/podman/podman.sock';
    const candidates = ['/run/user/1000/podman/podman.sock', '/run/podman/podman.sock'];
    expect(resolveSocket('unix:///x.sock', candidates, exists)).toBe('/x.sock');
    expect(resolveSocket(null, candidates, exists)).toBeUndefined();
    expect(resolveSocket(undefined, candidates, exists)).toBe('/run/podman/podman.sock');
    expect(resolveSocket(undefined, candidates, () => false)).toBeUndefined();
  });

  it.each([
    ['ENOENT', 'unavailable', /no container engine socket at \/s.*CONTAINER_SOCKET/],
    ['EACCES', 'permission', /permission denied on \/s.*run Starbridge as a user/],
    ['ECONNREFUSED', 'unavailable', /nothing listens on \/s/],
  ])('%s on connect says what to do', (code, failure, message) => {
    const error = connectionError('/s', new Error('fetch failed', { cause: { code } }));
    expect(error.failure).toBe(failure);
    expect(error.message).toMatch(message);
  });

  it('a 403 names the proxy settings', () => {
    const error = statusError('POST /containers/x/restart', 403, 'forbidden');
    expect(error.failure).toBe('forbidden');
    expect(error.message).toMatch(/forbade POST \/containers\/x\/restart.*POST=1/);
  });
});
