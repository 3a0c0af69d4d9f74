import type { SourcesStatus } from '../github/sources.types.js';
import { printSourcesStatus } from '../sources/sources-status.js';
import type { MirrorService } from './mirror.service.js';

export interface StatusCommandDeps {
  mirrors: MirrorService;
  sources: { status(): Promise<SourcesStatus> };
  /** Without OneDev nothing is synced, which the status says. */
  onedevConfigured: boolean;
  out: (line: string) => void;
}

const STATUS_ORDER = ['synced', 'queued', 'syncing', 'retrying', 'failed', 'paused'];
const FAILURES_SHOWN = 10;

/**
 * `starbridge status [--mirrors]`: how many mirrors are in each status, the GitHub sources,
 * and the latest failures (failed or waiting to retry) with their attempts and last error;
 * `--mirrors` adds every mirror with its source and next refresh. Exit 0; 64 on bad usage.
 */
export async function statusCommand(args: string[], deps: StatusCommandDeps): Promise<number> {
  if (args.some((a) => a !== '--mirrors')) {
    deps.out('usage: starbridge status [--mirrors]');
    return 64;
  }
  const { mirrors } = deps;
  const { counts, failures } = await mirrors.summary(FAILURES_SHOWN);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  deps.out(`mirrors: ${total}`);
  const statuses = [
    ...STATUS_ORDER,
    ...Object.keys(counts)
      .filter((s) => !STATUS_ORDER.includes(s))
      .sort(),
  ];
  for (const status of statuses) {
    const n = counts[status] ?? 0;
    if (n > 0) deps.out(`  ${status.padEnd(9)} ${n}`);
  }
  await printSourcesStatus({
    ...deps,
    eachMirror: args.includes('--mirrors'),
  });
  if (!deps.onedevConfigured)
    deps.out('note: ONEDEV_URL and ONEDEV_TOKEN are not set, so nothing is synced');
  if (failures.length === 0) {
    deps.out('no failures');
    return 0;
  }
  deps.out(`latest failures (${failures.length}):`);
  for (const mirror of failures) {
    const when =
      mirror.status === 'retrying' && mirror.nextAttemptAt
        ? `, next attempt ${mirror.nextAttemptAt}`
        : '';
    deps.out(`  ${mirror.fullName} [${mirror.status}, ${mirror.attempts} attempt(s)${when}]`);
    deps.out(
      `    ${mirror.lastErrorCode ? `${mirror.lastErrorCode}: ` : ''}${oneLine(mirror.lastError ?? 'no error recorded')}`,
    );
  }
  return 0;
}

function oneLine(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}
