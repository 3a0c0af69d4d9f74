/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { relativeTime } from './format.js';

/** Every form carries the session's CSRF token (OWASP synchronizer token). */
export const CsrfField = (props: { token: string }) => (
  <input type="hidden" name="_csrf" value={props.token} />
);

/** A one-button POST form: state changes never happen on GET. */
export const PostButton = (props: {
  action: string;
  csrf: string;
  label: string;
  /** What the button acts on, for screen readers when the same label repeats in a table. */
  subject?: string;
  id?: string;
  variant?: 'primary' | 'danger' | 'plain';
  returnTo?: string;
  describedBy?: string;
}) => (
  <form method="post" action={props.action} class="inline">
    <CsrfField token={props.csrf} />
    {props.returnTo ? <input type="hidden" name="return_to" value={props.returnTo} /> : null}
    <button
      type="submit"
      id={props.id}
      class={`btn ${props.variant ?? 'plain'}`}
      aria-describedby={props.describedBy}
    >
      {props.label}
      {props.subject ? <span class="sr-only"> {props.subject}</span> : null}
    </button>
  </form>
);

const STATUS_TONE: Record<string, string> = {
  synced: 'good',
  ok: 'good',
  running: 'good',
  healthy: 'good',
  queued: 'info',
  syncing: 'info',
  starting: 'info',
  retrying: 'warn',
  paused: 'muted',
  source_gone: 'warn',
  not_configured: 'muted',
  degraded: 'warn',
  exited: 'muted',
  failed: 'bad',
  down: 'bad',
  unhealthy: 'bad',
  crash_looping: 'bad',
  received: 'info',
  coalesced: 'info',
  pong: 'good',
  recorded: 'good',
  ignored: 'muted',
  unchanged: 'good',
  empty: 'muted',
  aborted: 'warn',
  delivered: 'good',
  restored: 'good',
  not_restored: 'bad',
};

/** A status as text and colour; the word itself carries the meaning, not the colour. */
export const Badge = (props: { status: string }) => (
  <span class={`badge ${STATUS_TONE[props.status] ?? 'muted'}`}>
    {props.status.replace(/_/g, ' ')}
  </span>
);

export const When = (props: { at: string | null | undefined; now: Date; empty?: string }) =>
  props.at ? (
    <time datetime={props.at} title={props.at}>
      {relativeTime(props.at, props.now)}
    </time>
  ) : (
    <span class="muted">{props.empty ?? '—'}</span>
  );

/** Previous / next links that keep the rest of the query. */
export const Pager = (props: { base: string; page: number; pages: number; query?: string }) => {
  if (props.pages <= 1) return null;
  const href = (page: number) =>
    `${props.base}?${props.query ? `${props.query}&` : ''}page=${page}`;
  return (
    <nav class="pager" aria-label="Pages">
      {props.page > 1 ? <a href={href(props.page - 1)}>← Previous</a> : <span />}
      <span>
        Page {props.page} of {props.pages}
      </span>
      {props.page < props.pages ? <a href={href(props.page + 1)}>Next →</a> : <span />}
    </nav>
  );
};

/** A region that reloads itself every few seconds (htmx picks it out of the full page). */
export const Live = (props: { id: string; src: string; label: string; children: Child }) => (
  <section
    id={props.id}
    aria-label={props.label}
    hx-get={props.src}
    hx-trigger="every 3s"
    hx-select={`#${props.id}`}
    hx-swap="outerHTML"
  >
    {props.children}
  </section>
);

export const Empty = (props: { children: Child }) => <p class="empty">{props.children}</p>;
