import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const TEST_IMAGE = 'localhost/starbridge-test-busybox:latest';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'];

/** Whether the real-Podman suites can run here, and if not, why (they fail under CI=true). */
export function podmanAvailability(): { ok: true } | { ok: false; reason: string } {
  const onPath = (bin: string) =>
    (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));
  if (!onPath('podman'))
    return { ok: false, reason: 'podman is not installed (apt-get install podman runc)' };
  if (!BUSYBOX.some((p) => existsSync(p))) {
    return {
      ok: false,
      reason: 'busybox-static is not installed (apt-get install busybox-static)',
    };
  }
  return { ok: true };
}

export interface Podman {
  socketPath: string;
  /**
   * Runs a detached container of the test image with labels, `--network none`; `extra`
   * goes before the image (e.g. `-v`), `onStart` is shell run each time it starts.
   */
  run(
    name: string,
    labels?: Record<string, string>,
    extra?: string[],
    onStart?: string,
  ): Promise<string>;
  /** `State.StartedAt` as Podman reports it. */
  startedAt(name: string): Promise<string>;
  podman(args: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * A private Podman for one suite: its own storage (`--root`/`--runroot` in a temporary
 * folder, so nothing touches the machine's containers), the containers.conf from
 * `CONTAINERS_CONF` (or one written here: runtime runc, ulimits the kernel allows), the
 * busybox image imported from a root filesystem (no registry), and
 * `podman system service` on a unix socket in the same folder.
 */
export async function startPodman(): Promise<Podman> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-podman-'));
  const env = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? writeConf(dir) };
  const global = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
  ];
  const podman = async (args: string[]) =>
    (await run('podman', [...global, ...args], { env, maxBuffer: 16 << 20 })).stdout.trim();
  await importImage(dir, global, env);
  const socketPath = join(dir, 'podman.sock');
  const service = spawn(
    'podman',
    [...global, 'system', 'service', '--time=0', `unix://${socketPath}`],
    {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  service.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitForSocket(socketPath, service, () => stderr);
  return {
    socketPath,
    podman,
    async run(name, labels = {}, extra = [], onStart = '') {
      const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
      // PID 1 ignores SIGTERM without a handler: trap it so a restart takes no stop grace.
      const script = `${onStart ? `${onStart}; ` : ''}trap "exit 0" TERM; while :; do sleep 1; done`;
      return podman([
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        ...labelArgs,
        ...extra,
        TEST_IMAGE,
        'sh',
        '-c',
        script,
      ]);
    },
    startedAt: (name) => podman(['inspect', '--format', '{{.State.StartedAt}}', name]),
    async close() {
      await podman(['rm', '--all', '--force', '--time', '0']).catch(() => '');
      service.kill('SIGTERM');
      await new Promise((resolve) =>
        service.exitCode === null ? service.once('exit', resolve) : resolve(null),
      );
      // Conmon starts `podman container cleanup` after each container exits; it writes to
      // the same storage, so removing the folder under it fails with ENOTEMPTY.
      await waitForProcessesUsing(dir);
      // Podman (as root) bind-mounts its overlay folder onto itself; unmount before removing.
      await run('umount', [join(dir, 'root', 'overlay')]).catch(() => undefined);
      // A leftover temporary folder is not what the suites test: say so rather than fail.
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(
        (error: Error) => console.warn(`could not remove ${dir}: ${error.message}`),
      );
    },
  };
}

function writeConf(dir: string): string {
  const path = join(dir, 'containers.conf');
  writeFileSync(
    path,
    '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n',
  );
  return path;
}

/** `podman import` of a folder holding busybox-static and the applets the tests use. */
async function importImage(dir: string, global: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  const busybox = BUSYBOX.find((p) => existsSync(p)) as string;
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'sleep', 'cat', 'ls'])
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tar = join(dir, 'rootfs.tar');
  await run('tar', ['-C', rootfs, '-cf', tar, '.']);
  await run('podman', [...global, 'import', tar, TEST_IMAGE], { env });
}

async function waitForSocket(
  path: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(path)) return;
    if (child.exitCode !== null) throw new Error(`podman system service exited: ${stderr()}`);
    await sleep(100);
  }
  throw new Error(`podman system service did not create ${path}: ${stderr()}`);
}

/** Waits (up to 15 s) until no process has `dir` on its command line. */
async function waitForProcessesUsing(dir: string): Promise<void> {
  for (let i = 0; i < 75; i++) {
    if (!(await anyProcessMentions(dir))) return;
    await sleep(200);
  }
}

async function anyProcessMentions(text: string): Promise<boolean> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    if (pid === String(process.pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) return true;
  }
  return false;
}
