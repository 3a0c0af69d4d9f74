/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { HistoryEntry } from '../../history/history.service.js';
import type { Mirror } from '../../mirrors/mirror.js';
import type { SyncRun } from '../../sync/run.js';
import { mirrorHref, phaseText } from './format.js';
import { Layout } from './layout.js';
import { KeptHistory } from './mirror-history.js';
import { Runs } from './mirror-parts.js';
import { Badge, CsrfField, Empty, Live, PostButton, When } from './ui.js';

export interface MirrorDetailData {
  now: Date;
  csrf: string;
  flash?: string | null;
  mirror: Mirror;
  runs: SyncRun[];
  githubUrl: string;
  onedevUrl?: string;
  /** Whether a freshness check is available (OneDev configured). */
  canCheckFreshness: boolean;
  /** Kept tips and HISTORY_KEEP (e.g. `90d`, `forever`); undefined when not available. */
  history?: { entries: HistoryEntry[]; keep: string };
}

const Facts = (props: { data: MirrorDetailData }) => {
  const { mirror: m, now, githubUrl, onedevUrl } = props.data;
  const running = props.data.runs.find((run) => run.result === 'running');
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <Badge status={m.status} /> {m.attempts > 0 ? `after ${m.attempts} attempt(s)` : ''}
        {m.status === 'syncing' ? (
          <>
            <progress aria-label="Sync in progress" /> running since{' '}
            <When at={m.lastAttemptAt} now={now} />
            {running?.phase ? `, ${phaseText(running.phase)}` : ''}
          </>
        ) : null}
      </dd>
      {m.sourceGone ? (
        <>
          <dt>Source gone</dt>
          <dd class="error-text">
            <When at={m.sourceGone.at} now={now} />: {m.sourceGone.reason}
          </dd>
        </>
      ) : null}
      <dt>GitHub</dt>
      <dd>
        <a href={`${githubUrl}/${m.fullName}`} rel="noreferrer">{`${githubUrl}/${m.fullName}`}</a>
      </dd>
      <dt>OneDev</dt>
      <dd>
        {m.onedevPath && onedevUrl ? (
          <a href={`${onedevUrl}/${m.onedevPath}`} rel="noreferrer">
            {m.onedevPath}
          </a>
        ) : (
          (m.onedevPath ?? 'not created yet')
        )}
      </dd>
      <dt>Source</dt>
      <dd>
        {m.source}
        {m.starred ? ', starred' : ''}
        {m.private ? ', private' : ''}
      </dd>
      {m.wiki && m.wiki.status !== 'absent' ? (
        <>
          <dt>Wiki</dt>
          <dd>
            <Badge status={m.wiki.status} /> {m.wiki.onedevPath ?? ''}, last synced{' '}
            <When at={m.wiki.lastSyncedAt} now={now} empty="never" />
            {m.wiki.lastError ? <span class="error-text"> {m.wiki.lastError}</span> : null}
          </dd>
        </>
      ) : null}
      <dt>Default branch</dt>
      <dd>{m.defaultBranch ?? '—'}</dd>
      <dt>Last sync</dt>
      <dd>
        <When at={m.lastSyncedAt} now={now} empty="never" />
      </dd>
      <dt>Next attempt</dt>
      <dd>
        <When at={m.nextAttemptAt} now={now} />
      </dd>
      <dt>Last error</dt>
      <dd class={m.lastError ? 'error-text' : 'muted'}>{m.lastError ?? 'none'}</dd>
    </dl>
  );
};

/** One mirror: its facts, GitHub against OneDev, the run ledger, and its actions. */
export const MirrorDetailPage = (props: MirrorDetailData) => {
  const m = props.mirror;
  const self = mirrorHref(m.fullName);
  return (
    <Layout title={m.fullName} section="mirrors" csrf={props.csrf} flash={props.flash}>
      <div class="toolbar">
        <PostButton
          action={mirrorHref(m.fullName, '/sync')}
          csrf={props.csrf}
          label="Sync now"
          id="sync"
          returnTo={self}
        />
        {m.status === 'failed' || m.status === 'retrying' ? (
          <PostButton
            action={mirrorHref(m.fullName, '/retry')}
            csrf={props.csrf}
            label="Retry"
            id="retry"
            variant="primary"
            returnTo={self}
          />
        ) : null}
      </div>
      <div class="grid">
        <Live id="live-mirror" src={self} label="Mirror state">
          <section class="card">
            <h2>State</h2>
            <Facts data={props} />
          </section>
        </Live>
        <section class="card">
          <h2>GitHub against OneDev</h2>
          {props.canCheckFreshness ? (
            <div
              hx-get={mirrorHref(m.fullName, '/freshness')}
              hx-trigger="load"
              hx-swap="outerHTML"
            >
              <p class="muted">Comparing the latest commits…</p>
            </div>
          ) : (
            <Empty>OneDev is not configured, so there is nothing to compare with.</Empty>
          )}
        </section>
      </div>
      <Live id="live-runs" src={self} label="Sync runs">
        <section class="card">
          <h2>Sync runs</h2>
          <Runs runs={props.runs} now={props.now} />
        </section>
      </Live>
      {props.history ? (
        <KeptHistory history={props.history.entries} keep={props.history.keep} now={props.now} />
      ) : null}
      <section class="card danger-zone" id="stop">
        <h2>Stop mirroring</h2>
        <form method="post" action={mirrorHref(m.fullName, '/delete')} class="stack">
          <CsrfField token={props.csrf} />
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required /> Stop mirroring{' '}
            {m.fullName}
          </label>
          <label class="check">
            <input type="checkbox" name="delete_project" value="yes" /> Also delete the OneDev
            project
          </label>
          <button type="submit" class="btn danger">
            Stop mirroring
          </button>
        </form>
      </section>
    </Layout>
  );
};
