/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { HistoryEntry } from '../../history/history.service.js';
import type { Mirror } from '../../mirrors/mirror.js';
import type { MirrorOptions } from '../../mirrors/mirror-options.js';
import type { MirrorChange } from '../../mirrors/mirrors.port.js';
import { formatBytes } from '../../shared/bytes.js';
import type { SyncRun } from '../../sync/run.js';
import { duration, intervalText, mirrorHref, phaseText } from './format.js';
import { Layout } from './layout.js';
import { KeptHistory } from './mirror-history.js';
import { Runs } from './mirror-parts.js';
import { PauseButton, PausedBy } from './mirrors.js';
import { SwitchOption } from './option-switch.js';
import { MirrorRunCharts } from './run-charts.js';
import { MirrorKeyCard } from './ssh-keys.js';
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
  /** The deploy key it fetches with and the keys to choose from; undefined: not shown. */
  sshKey?: { current: string | null; keys: string[] };
  /** Options set on this mirror, what they override, and operators' changes. */
  control?: {
    options: MirrorOptions;
    globalRefreshMs: number;
    /** MIRROR_LFS and MIRROR_WIKIS, which the `lfs` and `wiki` options override. */
    globalLfs: boolean;
    globalWikis: boolean;
    changes: MirrorChange[];
  };
}

const Facts = (props: { data: MirrorDetailData }) => {
  const { mirror: m, now, githubUrl, onedevUrl } = props.data;
  const running = props.data.runs.find((run) => run.result === 'running');
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <Badge status={m.status} /> {m.attempts > 0 ? `after ${m.attempts} attempt(s)` : ''}
        <PausedBy mirror={m} now={now} />
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
      <dt>Next check</dt>
      <dd>
        <When at={m.nextRefreshAt ?? null} now={now} empty="not scheduled yet" />
        {refreshText(props.data)}
      </dd>
      <dt>LFS</dt>
      <dd>{lfsText(props.data.runs)}</dd>
      <dt>Last error</dt>
      <dd class={m.lastError ? 'error-text' : 'muted'}>{m.lastError ?? 'none'}</dd>
    </dl>
  );
};

/** How often the refresh compares it with GitHub, and why. */
function refreshText(data: MirrorDetailData): string {
  const pinned = data.control?.options.refreshIntervalMs?.value;
  if (typeof pinned === 'number') return ` · every ${intervalText(pinned)} (set on this mirror)`;
  const every = data.mirror.refreshEveryMs;
  if (every === null || every === undefined) return '';
  const found = data.mirror.refreshOutcome ? `; last found: ${data.mirror.refreshOutcome}` : '';
  return ` · every ${intervalText(every)} (sooner after changes, later when quiet${found})`;
}

/** What the newest run with an LFS step found; the runs say what each one moved. */
function lfsText(runs: SyncRun[]): string {
  const lfs = runs.find((run) => run.lfs !== null)?.lfs;
  if (!lfs) return 'not checked yet (LFS mirroring off, or no sync since it was turned on)';
  if (lfs.totalObjects === 0) return 'no LFS objects';
  const count = `${lfs.totalObjects} ${lfs.totalObjects === 1 ? 'object' : 'objects'}`;
  return `${count}, ${formatBytes(lfs.totalBytes)}, all held by OneDev`;
}
/** The mirror's own settings, over the global ones, with who set them and when. */
const Options = (props: { data: MirrorDetailData }) => {
  const { mirror: m, csrf, now, control } = props.data;
  if (!control) return null;
  const refresh = control.options.refreshIntervalMs;
  const minutes = typeof refresh?.value === 'number' ? String(refresh.value / 60_000) : '';
  return (
    <section class="card" id="options" aria-labelledby="options-title">
      <h2 id="options-title">Options</h2>
      <form method="post" action={mirrorHref(m.fullName, '/options')} class="stack">
        <CsrfField token={csrf} />
        <input type="hidden" name="return_to" value={mirrorHref(m.fullName, '#options')} />
        <label for="refresh-interval">Refresh interval (minutes)</label>
        <input
          id="refresh-interval"
          name="refresh_interval_minutes"
          type="number"
          min="1"
          max="10080"
          step="1"
          value={minutes}
          placeholder={`default: ${duration(control.globalRefreshMs)}`}
          aria-describedby="refresh-interval-help"
        />
        <p id="refresh-interval-help" class="muted small">
          {refresh ? (
            <>
              Set to {duration(refresh.value as number)} by {refresh.updatedBy},{' '}
              <When at={refresh.updatedAt} now={now} />. Empty it to use REFRESH_INTERVAL (
              {duration(control.globalRefreshMs)}).
            </>
          ) : (
            <>
              REFRESH_INTERVAL applies ({duration(control.globalRefreshMs)}). A new interval counts
              from the next check.
            </>
          )}
        </p>
        <SwitchOption
          id="lfs-option"
          name="lfs"
          label="LFS objects"
          global="MIRROR_LFS"
          globallyOn={control.globalLfs}
          option={control.options.lfs}
          now={now}
        />
        <SwitchOption
          id="wiki-option"
          name="wiki"
          label="Wiki"
          global="MIRROR_WIKIS"
          globallyOn={control.globalWikis}
          option={control.options.wiki}
          now={now}
        />
        <button type="submit" class="btn primary">
          Save options
        </button>
      </form>
      <h3 id="changes">Changes by operators</h3>
      {control.changes.length === 0 ? (
        <Empty>None yet.</Empty>
      ) : (
        <ul class="changes">
          {control.changes.map((change) => (
            <li>
              <When at={change.at} now={now} /> {change.change}
              {change.detail ? ` ${change.detail}` : ''} by {change.actor}
            </li>
          ))}
        </ul>
      )}
    </section>
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
        <PauseButton m={m} csrf={props.csrf} returnTo={self} id={m.pausedBy ? 'resume' : 'pause'} />
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
      {props.sshKey ? (
        <MirrorKeyCard csrf={props.csrf} fullName={m.fullName} {...props.sshKey} />
      ) : null}
      <Live id="live-runs" src={self} label="Sync runs">
        <section class="card">
          <h2>Sync runs</h2>
          <MirrorRunCharts runs={props.runs} />
          <Runs runs={props.runs} now={props.now} />
        </section>
      </Live>
      {props.history ? (
        <KeptHistory history={props.history.entries} keep={props.history.keep} now={props.now} />
      ) : null}
      <Options data={props} />
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
