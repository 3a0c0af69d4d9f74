/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Mirror, MirrorStatus } from '../../mirrors/mirror.js';
import { mirrorHref } from './format.js';
import { Layout } from './layout.js';
import { Badge, CsrfField, Empty, Live, Pager, PostButton, When } from './ui.js';

export interface MirrorsData {
  now: Date;
  csrf: string;
  flash?: string | null;
  mirrors: Mirror[];
  total: number;
  filter: { status?: string; q?: string; page: number; pages: number };
  githubUrl: string;
  onedevUrl?: string;
  failedCount: number;
}

const STATUSES: MirrorStatus[] = ['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused'];

/** The query string of the current filter, for pager links and live reloads. */
export function filterQuery(filter: { status?: string; q?: string }): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.q) params.set('q', filter.q);
  return params.toString();
}

function selfHref(filter: MirrorsData['filter']): string {
  const params = new URLSearchParams(filterQuery(filter));
  if (filter.page > 1) params.set('page', String(filter.page));
  const query = params.toString();
  return `/dashboard/mirrors${query ? `?${query}` : ''}`;
}

const Filter = (props: { status?: string; q?: string }) => (
  <form method="get" action="/dashboard/mirrors" class="filters" aria-label="Filter mirrors">
    <label for="status">Status</label>
    <select id="status" name="status">
      <option value="">all</option>
      {STATUSES.map((s) => (
        <option value={s} selected={s === props.status}>
          {s}
        </option>
      ))}
    </select>
    <label for="q">Repository</label>
    <input id="q" name="q" type="search" value={props.q ?? ''} placeholder="owner/name" />
    <button type="submit" class="btn plain">
      Filter
    </button>
  </form>
);

const Row = (props: { m: Mirror; data: MirrorsData; returnTo: string }) => {
  const { m, data } = props;
  const slug = `${m.githubId}`;
  return (
    <tr>
      <td data-label="Repository">
        <a href={mirrorHref(m.fullName)}>{m.fullName}</a>{' '}
        <a class="ext" href={`${data.githubUrl}/${m.fullName}`} rel="noreferrer">
          GitHub
        </a>
      </td>
      <td data-label="OneDev">
        {m.onedevPath && data.onedevUrl ? (
          <a href={`${data.onedevUrl}/${m.onedevPath}`} rel="noreferrer">
            {m.onedevPath}
          </a>
        ) : (
          <span class="muted">{m.onedevPath ?? 'not yet'}</span>
        )}
      </td>
      <td data-label="Status">
        {m.sourceGone ? (
          <span title={m.sourceGone.reason}>
            <Badge status="source_gone" />
          </span>
        ) : (
          <Badge status={m.status} />
        )}
        {m.status === 'syncing' ? <progress aria-label={`${m.fullName} syncing`} /> : null}
      </td>
      <td data-label="Source">
        {m.source}
        {m.starred ? ' ★' : ''}
      </td>
      <td data-label="Last sync">
        <When at={m.lastSyncedAt} now={data.now} empty="never" />
      </td>
      <td data-label="Next attempt">
        <When at={m.nextAttemptAt} now={data.now} />
      </td>
      <td data-label="Last error" class="error-text">
        {m.lastError ?? ''}
      </td>
      <td data-label="Actions" class="actions">
        <PostButton
          action={mirrorHref(m.fullName, '/sync')}
          csrf={data.csrf}
          label="Sync now"
          subject={m.fullName}
          id={`sync-${slug}`}
          returnTo={props.returnTo}
        />
        {m.status === 'failed' || m.status === 'retrying' ? (
          <PostButton
            action={mirrorHref(m.fullName, '/retry')}
            csrf={data.csrf}
            label="Retry"
            subject={m.fullName}
            id={`retry-${slug}`}
            variant="primary"
            returnTo={props.returnTo}
          />
        ) : null}
        <a href={mirrorHref(m.fullName, '#stop')}>
          Stop…<span class="sr-only"> mirroring {m.fullName}</span>
        </a>
      </td>
    </tr>
  );
};

const Table = (props: { data: MirrorsData; returnTo: string }) => (
  <div class="table-wrap">
    <table class="stack-on-phone">
      <caption class="sr-only">Mirrors</caption>
      <thead>
        <tr>
          {[
            'Repository',
            'OneDev',
            'Status',
            'Source',
            'Last sync',
            'Next attempt',
            'Last error',
            'Actions',
          ].map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.data.mirrors.map((m) => (
          <Row m={m} data={props.data} returnTo={props.returnTo} />
        ))}
      </tbody>
    </table>
  </div>
);

/** Mirrors: filter, search, pages, and the actions an operator takes on them. */
export const MirrorsPage = (props: MirrorsData) => {
  const query = filterQuery(props.filter);
  const self = selfHref(props.filter);
  return (
    <Layout title="Mirrors" section="mirrors" csrf={props.csrf} flash={props.flash}>
      <div class="toolbar">
        <Filter status={props.filter.status} q={props.filter.q} />
        <form method="post" action="/dashboard/mirrors/retry-failed" class="inline">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="return_to" value={self} />
          <button type="submit" class="btn primary" disabled={props.failedCount === 0}>
            Retry all failed ({props.failedCount})
          </button>
        </form>
      </div>
      <Live id="live-mirrors" src={self} label="Mirror list">
        <p class="muted">
          {props.total} mirror{props.total === 1 ? '' : 's'}
          {props.filter.status || props.filter.q ? ' match' : ''}
        </p>
        {props.mirrors.length === 0 ? (
          <Empty>
            No mirrors here yet. Star a repository on GitHub, or add one with the admin API.
          </Empty>
        ) : (
          <Table data={props} returnTo={self} />
        )}
        <Pager
          base="/dashboard/mirrors"
          page={props.filter.page}
          pages={props.filter.pages}
          query={query}
        />
      </Live>
    </Layout>
  );
};
