/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { RestartResult } from '../../containers/containers.events.js';
import { formatBytes } from '../../shared/bytes.js';
import type { SyncRun } from '../../sync/run.js';
import type { Freshness } from '../freshness.js';
import { duration, phaseText, shortSha } from './format.js';
import { Badge, Empty, When } from './ui.js';

const FRESHNESS_TEXT: Record<Freshness['state'], string> = {
  up_to_date: 'Up to date',
  update_available: 'Update available',
  not_mirrored: 'Not in OneDev yet',
  unknown: 'Could not compare',
};

/** The comparison fragment, loaded after the page so a slow remote never delays it. */
export const FreshnessView = (props: { freshness: Freshness }) => {
  const f = props.freshness;
  return (
    <div id="freshness" class={`freshness ${f.state}`}>
      <p>
        <strong>{FRESHNESS_TEXT[f.state]}</strong>
        {f.state === 'update_available' && f.differingRefs > 0
          ? ` (${f.differingRefs === 1 ? '1 ref differs' : `${f.differingRefs} refs differ`})`
          : ''}
      </p>
      <dl class="facts">
        <dt>Branch</dt>
        <dd>{f.branch ?? '—'}</dd>
        <dt>GitHub</dt>
        <dd>
          <code>{shortSha(f.githubSha)}</code>
        </dd>
        <dt>OneDev</dt>
        <dd>
          <code>{shortSha(f.onedevSha)}</code>
        </dd>
      </dl>
      {f.message ? <p class="error-text">{f.message}</p> : null}
    </div>
  );
};

/** Every restart result in words; typed so a new result cannot go unnamed. */
const RESTART_WORDS: Record<RestartResult, string> = {
  restarted: 'restarted',
  unhealthy: 'unhealthy after restart',
  not_running: 'not running after restart',
  crash_looping: 'crash-looping after restart',
  gone: 'gone',
  failed: 'restart failed',
  timeout: 'restart timed out',
  skipped: 'restart skipped',
};

type Outcome = {
  kind?: unknown;
  result?: unknown;
  container?: unknown;
  path?: unknown;
  message?: unknown;
};

/** What one ledger entry came to, in words ("restarted", "checkout failed"…). */
function outcomeOf(entry: Outcome): string {
  if (entry.kind === 'checkout') return `checkout ${String(entry.result)}`;
  if (entry.kind === 'skipped') return 'skipped';
  return RESTART_WORDS[entry.result as RestartResult] ?? String(entry.result);
}

/**
 * The run's container ledger counted by outcome ("2 restarted, 1 restart failed"); the
 * title lists each entry with its message.
 */
export function containerOutcomes(entries: unknown[]): { counts: string; details: string } {
  const outcomes = entries.map((e) => (e && typeof e === 'object' ? (e as Outcome) : {}));
  const counts = new Map<string, number>();
  for (const entry of outcomes) {
    const outcome = outcomeOf(entry);
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  const details = outcomes.map((e) => {
    const subject =
      e.kind === 'checkout' ? `checkout ${String(e.path)}` : String(e.container ?? '');
    const message = typeof e.message === 'string' ? `: ${e.message}` : '';
    return `${subject} ${outcomeOf(e)}${message}`.trim();
  });
  return {
    counts: [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', '),
    details: details.join('\n'),
  };
}

const ContainerCell = (props: { entries: unknown[] }) => {
  if (props.entries.length === 0) return <td data-label="Containers">—</td>;
  const outcomes = containerOutcomes(props.entries);
  return (
    <td data-label="Containers" title={outcomes.details}>
      {outcomes.counts}
    </td>
  );
};

const refCounts = (run: SyncRun) =>
  (['created', 'updated', 'forced', 'deleted'] as const)
    .map((kind) => `${run.refs.filter((r) => r.kind === kind).length} ${kind}`)
    .join(', ');

/** Refs someone changed in OneDev that this run found (and, normally, put back). */
const Drift = (props: { run: SyncRun }) => {
  const drift = props.run.drift;
  if (!drift) return null;
  const lines = drift.refs.map(
    (r) =>
      `${r.ref} ${r.kind}: ${r.expected?.slice(0, 12) ?? 'none'} → ${r.found?.slice(0, 12) ?? 'none'}`,
  );
  return (
    <p class="error-text small" title={lines.join('\n')}>
      Changed in OneDev: {drift.refs.map((r) => `${r.ref} ${r.kind}`).join(', ')};{' '}
      {drift.restored ? 'restored' : 'not restored'}
    </p>
  );
};

export const Runs = (props: { runs: SyncRun[]; now: Date }) =>
  props.runs.length === 0 ? (
    <Empty>No sync has run yet.</Empty>
  ) : (
    <div class="table-wrap">
      <table class="stack-on-phone">
        <caption class="sr-only">Sync runs, newest first</caption>
        <thead>
          <tr>
            {['When', 'Trigger', 'Result', 'Took', 'Refs', 'Bytes', 'Containers', 'Error'].map(
              (h) => (
                <th scope="col">{h}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr id={`run-${run.id}`}>
              <td data-label="When">
                <When at={run.startedAt} now={props.now} />
              </td>
              <td data-label="Trigger">
                {run.trigger} #{run.attempt}
              </td>
              <td data-label="Result">
                <Badge status={run.result} />
              </td>
              <td data-label="Took">
                {run.result === 'running' ? (
                  <>
                    <progress aria-label="Running" /> {phaseText(run.phase)}
                  </>
                ) : (
                  duration(run.durationMs)
                )}
                {run.quickRetries > 0 ? (
                  <span
                    class="muted small"
                    title="calls that failed in a way that passes and were retried within seconds"
                  >
                    {' '}
                    ({run.quickRetries} {run.quickRetries === 1 ? 'call' : 'calls'} retried)
                  </span>
                ) : null}
              </td>
              <td data-label="Refs" title={run.refs.map((r) => `${r.kind} ${r.ref}`).join('\n')}>
                {refCounts(run)}
                {run.lfs && run.lfs.objects > 0 ? (
                  <span class="muted small">
                    {' '}
                    + {run.lfs.objects} LFS {run.lfs.objects === 1 ? 'object' : 'objects'} (
                    {formatBytes(run.lfs.bytes)})
                  </span>
                ) : null}
                <Drift run={run} />
              </td>
              <td data-label="Bytes" title="pack bytes fetched from GitHub / pushed to OneDev">
                {run.bytes
                  ? `${formatBytes(run.bytes.fetched)} in / ${formatBytes(run.bytes.pushed)} out`
                  : '—'}
              </td>
              <ContainerCell entries={run.containers} />
              <td data-label="Error" class="error-text">
                {run.error ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
