/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  ACTIVITY_KINDS,
  type ActivityEntry,
  type ActivityKind,
  cursorOf,
} from '../../activity/activity.js';
import { duration } from './format.js';
import { Layout } from './layout.js';
import { Badge, Empty, Live, When } from './ui.js';

/** The filter as the operator gave it (strings), so the form shows it back. */
export interface ActivityQuery {
  kind?: ActivityKind;
  result?: 'succeeded' | 'failed';
  repo?: string;
  from?: string;
  to?: string;
  before?: string;
}

export interface ActivityData {
  now: Date;
  csrf: string;
  flash?: string | null;
  query: ActivityQuery;
  entries: ActivityEntry[];
  more: boolean;
  /** A repository filter that matches no mirror: said, not silently empty. */
  problem?: string;
}

const KIND_TEXT: Record<ActivityKind, string> = {
  sync: 'sync run',
  container: 'container',
  webhook: 'webhook',
  change: 'operator change',
  drift: 'changed in OneDev',
  history: 'kept history',
  notification: 'notification',
};

export function activityHref(query: ActivityQuery): string {
  const params = new URLSearchParams();
  for (const key of ['kind', 'result', 'repo', 'from', 'to', 'before'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return `/dashboard/activity${text ? `?${text}` : ''}`;
}

const Filters = (props: { query: ActivityQuery }) => {
  const q = props.query;
  return (
    <form method="get" action="/dashboard/activity" class="filters" aria-label="Filter activity">
      <label for="kind">Kind</label>
      <select id="kind" name="kind">
        <option value="">all</option>
        {ACTIVITY_KINDS.map((k) => (
          <option value={k} selected={k === q.kind}>
            {KIND_TEXT[k]}
          </option>
        ))}
      </select>
      <label for="result">Result</label>
      <select id="result" name="result">
        <option value="">any</option>
        <option value="succeeded" selected={q.result === 'succeeded'}>
          succeeded
        </option>
        <option value="failed" selected={q.result === 'failed'}>
          failed
        </option>
      </select>
      <label for="repo">Repository</label>
      <input id="repo" name="repo" type="search" value={q.repo ?? ''} placeholder="owner/name" />
      <label for="from">From</label>
      <input id="from" name="from" type="date" value={q.from ?? ''} />
      <label for="to">To</label>
      <input id="to" name="to" type="date" value={q.to ?? ''} />
      <button type="submit" class="btn plain">
        Filter
      </button>
    </form>
  );
};

const Row = (props: { entry: ActivityEntry; now: Date }) => {
  const e = props.entry;
  return (
    <tr data-kind={e.kind} data-id={e.id}>
      <td data-label="When">
        <When at={e.at} now={props.now} />
      </td>
      <td data-label="Kind" class="activity-kind">
        {KIND_TEXT[e.kind]}
      </td>
      <td data-label="Result">
        <Badge status={e.result} />
      </td>
      <td data-label="Repository">{e.repository ?? <span class="muted">—</span>}</td>
      <td data-label="What">
        <a href={e.href}>{e.summary}</a>
      </td>
      <td data-label="Took">{e.durationMs === null ? '' : duration(e.durationMs)}</td>
    </tr>
  );
};

/** Everything Starbridge did, newest first, across every mirror. */
export const ActivityPage = (props: ActivityData) => {
  const self = activityHref(props.query);
  const last = props.entries[props.entries.length - 1];
  const next = props.more && last ? activityHref({ ...props.query, before: cursorOf(last) }) : '';
  const first = props.query.before ? activityHref({ ...props.query, before: undefined }) : '';
  return (
    <Layout title="Activity" section="activity" csrf={props.csrf} flash={props.flash}>
      <Filters query={props.query} />
      {props.problem ? (
        <p class="notice bad" role="alert">
          {props.problem}
        </p>
      ) : null}
      <Live id="live-activity" src={self} label="Activity log">
        {props.entries.length === 0 ? (
          <Empty>Nothing matches yet.</Empty>
        ) : (
          <div class="table-wrap">
            <table class="stack-on-phone">
              <caption class="sr-only">Activity, newest first</caption>
              <thead>
                <tr>
                  {['When', 'Kind', 'Result', 'Repository', 'What', 'Took'].map((h) => (
                    <th scope="col">{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {props.entries.map((entry) => (
                  <Row entry={entry} now={props.now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label="Pages">
          {first ? <a href={first}>← Newest</a> : <span />}
          {next ? <a href={next}>Older →</a> : <span />}
        </nav>
      </Live>
    </Layout>
  );
};
