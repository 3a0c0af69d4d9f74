import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** What we know about the container Starbridge itself runs in, if any. */
export interface SelfIdentity {
  hostname: string;
  /** Full 64-hex container ids found in the clues below. */
  ids: Set<string>;
}

const HEX64 = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g;

/** Only the `/etc/hostname` line: on a host, mountinfo lists every container's mounts. */
function hostnameMount(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.split(' ')[4] === '/etc/hostname')
    .join('\n');
}

const SOURCES: Array<[string, (text: string) => string]> = [
  ['/proc/self/cgroup', (text) => text],
  ['/proc/self/mountinfo', hostnameMount],
  ['/run/.containerenv', (text) => text],
];

/**
 * Gathers the clues Docker and Podman leave inside a container: the hostname defaults to
 * the short container id; the process's own cgroup path often holds the full id; so does
 * the source of the `/etc/hostname` bind mount (`…/containers/<id>/hostname`); Podman
 * writes `id="…"` into /run/.containerenv. Outside a container none of these match.
 */
export function readSelfIdentity(
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
  host: string = hostname(),
): SelfIdentity {
  const ids = new Set<string>();
  for (const [file, relevant] of SOURCES) {
    let text = '';
    try {
      text = relevant(read(file));
    } catch {
      continue;
    }
    for (const match of text.matchAll(HEX64)) ids.add(match[0]);
  }
  return { hostname: host.trim(), ids };
}

/** Whether a container is the one Starbridge runs in (it must never restart or stop itself). */
export function isSelf(self: SelfIdentity, container: { id: string; name: string }): boolean {
  if (self.ids.has(container.id)) return true;
  const host = self.hostname.toLowerCase();
  if (/^[0-9a-f]{12,64}$/.test(host) && container.id.startsWith(host)) return true;
  return host !== '' && container.name.toLowerCase() === host;
}
