/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { SourcesStatus } from '../../github/sources.types.js';
import type { HealthReport } from '../../health/health.service.js';
import type { Mirror, MirrorStatus } from '../../mirrors/mirror.js';
import { mirrorHref } from './format.js';
import { Layout } from './layout.js';
import { OverviewCharts, type RunCharts } from './run-charts.js';
import { Badge, Empty, Live, When } from './ui.js';

export interface OverviewData {
  now: Date;
  csrf: string;
  flash?: string | null;
  counts: Record<string, number>;
  failures: Mirror[];
  health: HealthReport;
  /** Undefined until the GitHub sources feature is wired in. */
  sources?: SourcesStatus;
  /** Runs per hour and day from the ledger; absent in views that do not draw them. */
  charts?: RunCharts;
  /** Change detection's GitHub spending; absent when it is off. */
  budget?: GitHubBudgetLine;
}

/** What change detection spent of GITHUB_BUDGET_PER_HOUR, and what GitHub has left. */
export interface GitHubBudgetLine {
  budgetPerHour: number;
  spentLastHour: number;
  graphqlRemaining: number | null;
  restRemaining: number | null;
}

const STATUSES: MirrorStatus[] = ['synced', 'syncing', 'queued', 'retrying', 'failed', 'paused'];
const COMPONENTS = ['github', 'onedev', 'onedev_guard', 'database', 'containers'];

const Counts = (props: { counts: Record<string, number> }) => (
  <ul class="tiles" aria-label="Mirrors by status">
    {STATUSES.map((status) => (
      <li>
        <a href={`/dashboard/mirrors?status=${status}`} class={`tile ${status}`}>
          <strong>{props.counts[status] ?? 0}</strong>
          <span>{status}</span>
        </a>
      </li>
    ))}
  </ul>
);

const Budget = (props: { budget?: GitHubBudgetLine }) => {
  const b = props.budget;
  if (!b) return <span class="muted">change detection off (no token, or a budget of 0)</span>;
  const left = (n: number | null) => (n === null ? 'not known yet' : `${n} left`);
  return (
    <>
      {b.spentLastHour} of {b.budgetPerHour} spent in the last hour; GitHub REST{' '}
      {left(b.restRemaining)}, GraphQL {left(b.graphqlRemaining)}
    </>
  );
};

const Schedule = (props: { sources?: SourcesStatus; now: Date; budget?: GitHubBudgetLine }) => {
  const s = props.sources;
  if (!s) return <Empty>GitHub sources are not configured: no stars poll or refresh runs.</Empty>;
  const rate = s.rateLimit;
  return (
    <dl class="facts">
      <dt>Last stars poll</dt>
      <dd>
        <When at={s.starsPoll.lastAt} now={props.now} empty="never" />{' '}
        {s.starsPoll.lastResult ? <span class="muted">({s.starsPoll.lastResult})</span> : null}
      </dd>
      <dt>Next stars poll</dt>
      <dd>
        {s.starsPoll.pausedReason ? (
          <span class="bad-text">paused: {s.starsPoll.pausedReason}</span>
        ) : s.starsPoll.enabled ? (
          <When at={s.starsPoll.nextAt} now={props.now} />
        ) : (
          <span class="muted">off</span>
        )}
      </dd>
      {s.starsPoll.lists ? (
        <>
          <dt>Star Lists followed</dt>
          <dd>
            {s.starsPoll.lists.map((l, i) => (
              <>
                {i > 0 ? ', ' : ''}
                {l.missing ? (
                  <span class="bad-text">{l.list} (not found on GitHub)</span>
                ) : (
                  <>
                    {l.list}
                    {l.parent ? ` → ${l.parent}` : ''}: {l.stars} {l.stars === 1 ? 'star' : 'stars'}
                  </>
                )}
              </>
            ))}
          </dd>
        </>
      ) : null}
      <dt>Next refresh</dt>
      <dd>
        <When at={s.refresh.nextAt} now={props.now} />
      </dd>
      <dt>GitHub rate limit</dt>
      <dd>
        {rate ? (
          <>
            {rate.remaining} of {rate.limit} left, resets <When at={rate.resetAt} now={props.now} />
          </>
        ) : (
          <span class="muted">not known yet</span>
        )}
      </dd>
      <dt>GitHub budget</dt>
      <dd>
        <Budget budget={props.budget} />
      </dd>
    </dl>
  );
};

const Health = (props: { health: HealthReport }) => (
  <ul class="health">
    {COMPONENTS.map((name) => {
      const component = props.health.components[name];
      return (
        <li>
          <span class="name">{name}</span> <Badge status={component?.status ?? 'not_configured'} />
          {component?.message ? <span class="muted small"> {component.message}</span> : null}
        </li>
      );
    })}
  </ul>
);

const Failures = (props: { failures: Mirror[]; now: Date }) =>
  props.failures.length === 0 ? (
    <Empty>No failures. Everything synced or is on its way.</Empty>
  ) : (
    <ul class="failures">
      {props.failures.map((m) => (
        <li>
          <a href={mirrorHref(m.fullName)}>{m.fullName}</a> <Badge status={m.status} />{' '}
          <When at={m.lastAttemptAt} now={props.now} />
          <p class="error-text">{m.lastError ?? 'no message'}</p>
        </li>
      ))}
    </ul>
  );

/** What the `upstreams` health component says of one open circuit. */
interface OpenCircuit {
  state: 'open';
  since: string;
  lastError: string;
  nextProbeAt: string;
}

const LABELS: Record<string, string> = { onedev: 'OneDev', github: 'GitHub' };

function openCircuits(health: HealthReport): Array<[string, OpenCircuit]> {
  const circuits = health.components.upstreams?.circuits;
  if (typeof circuits !== 'object' || circuits === null) return [];
  return Object.entries(circuits as Record<string, { state?: string }>).filter(
    (entry): entry is [string, OpenCircuit] => entry[1]?.state === 'open',
  );
}

/** One banner per upstream that fails for every mirror: syncs wait for it. */
const OutageBanner = (props: { health: HealthReport; now: Date }) => (
  <>
    {openCircuits(props.health).map(([upstream, circuit]) => (
      <p class="notice bad" role="alert">
        <strong>{LABELS[upstream] ?? upstream} unreachable</strong> since{' '}
        <When at={circuit.since} now={props.now} /> ({circuit.lastError}). Syncs wait without
        spending attempts; next check <When at={circuit.nextProbeAt} now={props.now} />.
      </p>
    ))}
  </>
);

/** Overview: mirrors by status, schedules, rate limit, health and the latest failures. */
export const OverviewPage = (props: OverviewData) => (
  <Layout title="Overview" section="overview" csrf={props.csrf} flash={props.flash}>
    <Live id="live-overview" src="/dashboard" label="Live overview">
      <OutageBanner health={props.health} now={props.now} />
      <Counts counts={props.counts} />
      <div class="grid">
        <section class="card">
          <h2>Schedule</h2>
          <Schedule sources={props.sources} now={props.now} budget={props.budget} />
        </section>
        <section class="card">
          <h2>Health</h2>
          <Health health={props.health} />
        </section>
      </div>
      <section class="card">
        <h2>Latest failures</h2>
        <Failures failures={props.failures} now={props.now} />
      </section>
    </Live>
    {props.charts ? <OverviewCharts charts={props.charts} now={props.now} /> : null}
  </Layout>
);
