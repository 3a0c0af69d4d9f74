/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { SourcesStatus } from '../../github/sources.types.js';
import type { HealthReport } from '../../health/health.service.js';
import type { Mirror, MirrorStatus } from '../../mirrors/mirror.js';
import { mirrorHref } from './format.js';
import { Layout } from './layout.js';
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

const Schedule = (props: { sources?: SourcesStatus; now: Date }) => {
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

/** Overview: mirrors by status, schedules, rate limit, health and the latest failures. */
export const OverviewPage = (props: OverviewData) => (
  <Layout title="Overview" section="overview" csrf={props.csrf} flash={props.flash}>
    <Live id="live-overview" src="/dashboard" label="Live overview">
      <Counts counts={props.counts} />
      <div class="grid">
        <section class="card">
          <h2>Schedule</h2>
          <Schedule sources={props.sources} now={props.now} />
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
  </Layout>
);
