/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Mirror, MirrorStatus } from '../../mirrors/mirror.js';
import type { MirrorSort } from '../../mirrors/mirror-queries.repo.js';
import { mirrorHref, relativeTime } from './format.js';
import { Layout } from './layout.js';
import { Badge, CsrfField, Empty, Live, Pager, PostButton, When } from './ui.js';

export interface MirrorsData {
  now: Date;
  csrf: string;
  flash?: string | null;
  mirrors: Mirror[];
  total: number;
  filter: ListFilter;
  githubUrl: string;
  onedevUrl?: string;
  failedCount: number;
}

export interface ListFilter {
  status?: string;
  q?: string;
  sort: MirrorSort;
  direction: 'asc' | 'desc';
  page: number;
  pages: number;
}

const STATUSES: MirrorStatus[] = ['queued', 'syncing', 'synced', 'retrying', 'failed', 'paused'];

/** The query string of the current filter and order, for pager links and live reloads. */
export function filterQuery(filter: {
  status?: string;
  q?: string;
  sort?: MirrorSort;
  direction?: 'asc' | 'desc';
}): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.q) params.set('q', filter.q);
  if (filter.sort && filter.sort !== 'name') params.set('sort', filter.sort);
  if (filter.direction === 'desc') params.set('dir', 'desc');
  return params.toString();
}

function selfHref(filter: MirrorsData['filter']): string {
  const params = new URLSearchParams(filterQuery(filter));
  if (filter.page > 1) params.set('page', String(filter.page));
  const query = params.toString();
  return `/dashboard/mirrors${query ? `?${query}` : ''}`;
}

const COLUMNS: Array<[label: string, sort?: MirrorSort]> = [
  ['Repository', 'name'],
  ['OneDev', 'onedev'],
  ['Status', 'status'],
  ['Source', 'source'],
  ['Last sync', 'last_sync'],
  ['Next attempt', 'next_attempt'],
  ['Last error'],
  ['Actions'],
];

const Filter = (props: ListFilter) => (
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
    {/* The column headers sort too, but a phone hides them: the same choice as a field. */}
    <label for="sort">Sort by</label>
    <select id="sort" name="sort">
      {COLUMNS.flatMap(([label, sort]) =>
        sort
          ? [
              <option value={sort} selected={sort === props.sort}>
                {label}
              </option>,
            ]
          : [],
      )}
    </select>
    <label for="dir">Order</label>
    <select id="dir" name="dir">
      <option value="asc">ascending</option>
      <option value="desc" selected={props.direction === 'desc'}>
        descending
      </option>
    </select>
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
      <td data-label="Select" class="pick">
        {/* Outside the bulk form (forms cannot nest), tied to it by `form`; hx-preserve keeps
            a tick through the live region's reloads. */}
        <input
          type="checkbox"
          name="ids"
          value={slug}
          form="bulk"
          id={`pick-${slug}`}
          hx-preserve="true"
          aria-label={`Select ${m.fullName}`}
        />
      </td>
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
        <PausedBy mirror={m} now={data.now} />
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
        <PauseButton m={m} csrf={data.csrf} returnTo={props.returnTo} />
        <a href={mirrorHref(m.fullName, '#stop')}>
          Stop…<span class="sr-only"> mirroring {m.fullName}</span>
        </a>
      </td>
    </tr>
  );
};

/** Who paused a mirror by hand, and when: shown wherever its status is. */
export const PausedBy = (props: { mirror: Mirror; now: Date }) =>
  props.mirror.pausedBy ? (
    <span class="small muted paused-by">
      {' '}
      by {props.mirror.pausedBy},{' '}
      <time datetime={props.mirror.pausedAt ?? ''} title={props.mirror.pausedAt ?? ''}>
        {props.mirror.pausedAt ? relativeTime(props.mirror.pausedAt, props.now) : ''}
      </time>
    </span>
  ) : null;

/** Pause, or Resume when an operator paused it. */
export const PauseButton = (props: { m: Mirror; csrf: string; returnTo: string; id?: string }) => {
  const resume = Boolean(props.m.pausedBy);
  return (
    <PostButton
      action={mirrorHref(props.m.fullName, resume ? '/resume' : '/pause')}
      csrf={props.csrf}
      label={resume ? 'Resume' : 'Pause'}
      subject={props.m.fullName}
      id={props.id ?? `${resume ? 'resume' : 'pause'}-${props.m.githubId}`}
      returnTo={props.returnTo}
    />
  );
};

/** A column header that sorts by it; a second click reverses the order. */
const SortHeader = (props: { label: string; sort?: MirrorSort; filter: ListFilter }) => {
  const { label, sort, filter } = props;
  if (!sort) return <th scope="col">{label}</th>;
  const current = filter.sort === sort;
  const direction = current && filter.direction === 'asc' ? 'desc' : 'asc';
  const query = filterQuery({ status: filter.status, q: filter.q, sort, direction });
  const aria = current ? (filter.direction === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={aria}>
      <a href={`/dashboard/mirrors${query ? `?${query}` : ''}`} class="sort">
        {label}
        {current ? (filter.direction === 'asc' ? ' ▲' : ' ▼') : ''}
        <span class="sr-only">, sort {direction === 'asc' ? 'ascending' : 'descending'}</span>
      </a>
    </th>
  );
};

const Table = (props: { data: MirrorsData; returnTo: string }) => (
  <div class="table-wrap">
    <table class="stack-on-phone">
      <caption class="sr-only">Mirrors</caption>
      <thead>
        <tr>
          <th scope="col">
            <span class="sr-only">Select</span>
          </th>
          {COLUMNS.map(([label, sort]) => (
            <SortHeader label={label} sort={sort} filter={props.data.filter} />
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

/** Adds a repository: the same check as the admin API, then it syncs at once. */
const AddForm = (props: { csrf: string }) => (
  <form method="post" action="/dashboard/mirrors/add" class="filters add" aria-label="Add a mirror">
    <CsrfField token={props.csrf} />
    <label for="add-repo">Add a repository</label>
    <input
      id="add-repo"
      name="repo"
      type="text"
      required
      maxlength={300}
      placeholder="owner/name or https://github.com/owner/name"
      autocomplete="off"
    />
    <button type="submit" class="btn primary">
      Add mirror
    </button>
  </form>
);

/** Pause or resume every ticked mirror; the checkboxes in the table belong to this form. */
const BulkForm = (props: { csrf: string; returnTo: string }) => (
  <form method="post" action="/dashboard/mirrors/bulk" id="bulk" class="inline filters">
    <CsrfField token={props.csrf} />
    <input type="hidden" name="return_to" value={props.returnTo} />
    <label for="bulk-action">With the ticked mirrors</label>
    <select id="bulk-action" name="action">
      <option value="pause">pause</option>
      <option value="resume">resume</option>
    </select>
    <button type="submit" class="btn plain">
      Apply
    </button>
  </form>
);

/** Mirrors: filter, search, sort, pages, and the actions an operator takes on them. */
export const MirrorsPage = (props: MirrorsData) => {
  const query = filterQuery(props.filter);
  const self = selfHref(props.filter);
  return (
    <Layout title="Mirrors" section="mirrors" csrf={props.csrf} flash={props.flash}>
      <AddForm csrf={props.csrf} />
      <div class="toolbar">
        <Filter {...props.filter} />
        <form method="post" action="/dashboard/mirrors/retry-failed" class="inline">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="return_to" value={self} />
          <button type="submit" class="btn primary" disabled={props.failedCount === 0}>
            Retry all failed ({props.failedCount})
          </button>
        </form>
        <BulkForm csrf={props.csrf} returnTo={self} />
      </div>
      <Live id="live-mirrors" src={self} label="Mirror list">
        <p class="muted">
          {props.total} mirror{props.total === 1 ? '' : 's'}
          {props.filter.status || props.filter.q ? ' match' : ''}
        </p>
        {props.mirrors.length === 0 ? (
          <Empty>No mirrors here yet. Star a repository on GitHub, or add one above.</Empty>
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
