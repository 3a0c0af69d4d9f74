/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Mirror } from '../../mirrors/mirror.js';
import { formatBytes } from '../../shared/bytes.js';
import type { SyncRun } from '../../sync/run.js';
import type { RunBucket } from '../../sync/run-stats.repo.js';
import { BarChart, type ChartSpec } from './charts.js';
import { duration, mirrorHref } from './format.js';
import { Empty, When } from './ui.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The ledger's runs per hour and per day, as the overview draws them. */
export interface RunCharts {
  hourly: RunBucket[];
  daily: RunBucket[];
  oldest: { oldest: Mirror | undefined; neverSynced: number };
}

/** Where the hourly and daily windows start: whole hours and days (UTC) ending now. */
export function chartWindows(now: Date): { hoursFrom: string; daysFrom: string } {
  const hour = Math.floor(now.getTime() / HOUR) * HOUR;
  const day = Math.floor(now.getTime() / DAY) * DAY;
  return {
    hoursFrom: new Date(hour - 23 * HOUR).toISOString(),
    daysFrom: new Date(day - 29 * DAY).toISOString(),
  };
}

/** Every bucket of the window, with zeros where the ledger has no runs. */
function axis(
  buckets: RunBucket[],
  from: number,
  count: number,
  step: number,
  unit: 'hour' | 'day',
) {
  const byKey = new Map(buckets.map((b) => [b.bucket, b]));
  return Array.from({ length: count }, (_, i) => {
    const iso = new Date(from + i * step).toISOString();
    const key = unit === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10);
    const found = byKey.get(key);
    const label = unit === 'hour' ? `${key.slice(0, 10)} ${key.slice(11)}:00 UTC` : key;
    const every = unit === 'hour' ? 6 : 7;
    const tick = i % every === 0 ? (unit === 'hour' ? `${key.slice(11)}h` : key.slice(5)) : '';
    return { label, tick, values: [found?.synced ?? 0, found?.failed ?? 0] };
  });
}

function sums(buckets: RunBucket[]) {
  return buckets.reduce((t, b) => ({ synced: t.synced + b.synced, failed: t.failed + b.failed }), {
    synced: 0,
    failed: 0,
  });
}

export const OverviewCharts = (props: { charts: RunCharts; now: Date }) => {
  const { hoursFrom, daysFrom } = chartWindows(props.now);
  const hours = sums(props.charts.hourly);
  const days = sums(props.charts.daily);
  const hourly: ChartSpec = {
    id: 'chart-hourly',
    title: 'Syncs per hour, last 24 hours',
    description: `${hours.synced} synced and ${hours.failed} failed runs in the last 24 hours, per hour (UTC), synced below failed.`,
    series: ['synced', 'failed'],
    labelHeading: 'Hour',
    bars: axis(props.charts.hourly, Date.parse(hoursFrom), 24, HOUR, 'hour'),
  };
  const daily: ChartSpec = {
    id: 'chart-daily',
    title: 'Syncs per day, last 30 days',
    description: `${days.synced} synced and ${days.failed} failed runs in the last 30 days, per day (UTC), synced below failed.`,
    series: ['synced', 'failed'],
    labelHeading: 'Day',
    bars: axis(props.charts.daily, Date.parse(daysFrom), 30, DAY, 'day'),
  };
  const { oldest, neverSynced } = props.charts.oldest;
  return (
    <section class="card" aria-labelledby="activity-charts">
      <h2 id="activity-charts">Sync activity</h2>
      <div class="charts">
        <BarChart spec={hourly} />
        <BarChart spec={daily} />
      </div>
      <p id="oldest-success">
        Oldest last success:{' '}
        {oldest ? (
          <>
            <a href={mirrorHref(oldest.fullName)}>{oldest.fullName}</a>,{' '}
            <When at={oldest.lastSyncedAt} now={props.now} />
          </>
        ) : (
          <span class="muted">no mirror has synced yet</span>
        )}
        {neverSynced > 0 ? `; ${neverSynced} never synced` : ''}.
      </p>
    </section>
  );
};

/** A mirror's recent runs: how long each took, how many refs and how many bytes it moved. */
export const MirrorRunCharts = (props: { runs: SyncRun[] }) => {
  const runs = props.runs
    .filter((run) => run.durationMs !== null)
    .slice(0, 30)
    .reverse();
  if (runs.length === 0) return <Empty>No finished run yet.</Empty>;
  const bar = (run: SyncRun, value: number) => ({
    label: `${run.startedAt.replace('T', ' ').slice(0, 19)} UTC (${run.result})`,
    tick: '',
    values: [value],
  });
  const durations: ChartSpec = {
    id: 'chart-durations',
    title: `Duration of the last ${runs.length} runs`,
    description: `Oldest on the left. Longest ${duration(Math.max(...runs.map((r) => r.durationMs ?? 0)))}.`,
    series: ['duration'],
    labelHeading: 'Run',
    format: (ms) => duration(ms),
    bars: runs.map((run) => bar(run, run.durationMs ?? 0)),
  };
  const refs: ChartSpec = {
    id: 'chart-refs',
    title: `Refs moved by the last ${runs.length} runs`,
    description: `Oldest on the left. ${runs.reduce((n, r) => n + r.refs.length, 0)} refs moved in all.`,
    series: ['refs moved'],
    labelHeading: 'Run',
    bars: runs.map((run) => bar(run, run.refs.length)),
  };
  const fetched = runs.reduce((n, r) => n + (r.bytes?.fetched ?? 0), 0);
  const pushed = runs.reduce((n, r) => n + (r.bytes?.pushed ?? 0), 0);
  const bytes: ChartSpec = {
    id: 'chart-bytes',
    title: `Bytes moved by the last ${runs.length} runs`,
    description: `Oldest on the left, fetched from GitHub below pushed to OneDev. ${formatBytes(fetched)} fetched and ${formatBytes(pushed)} pushed in all; failed runs record none.`,
    series: ['fetched', 'pushed'],
    labelHeading: 'Run',
    // "500 B", not "500 bytes": the axis label has the width of "500 ms".
    format: (n) => formatBytes(n).replace(/ bytes$/, ' B'),
    bars: runs.map((run) => ({
      ...bar(run, 0),
      values: [run.bytes?.fetched ?? 0, run.bytes?.pushed ?? 0],
    })),
  };
  return (
    <div class="charts">
      <BarChart spec={durations} />
      <BarChart spec={refs} />
      <BarChart spec={bytes} />
    </div>
  );
};
