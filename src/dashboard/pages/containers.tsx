/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { LabelledContainer } from '../../containers/container.service.types.js';
import { Layout } from './layout.js';
import { Badge, CsrfField, Empty, Live, PostButton, When } from './ui.js';

export interface ContainersData {
  now: Date;
  csrf: string;
  flash?: string | null;
  /** Undefined: the container feature is not configured in this Starbridge. */
  engine?: { available: boolean; message?: string; engine?: string; apiVersion?: string };
  containers: LabelledContainer[];
  restartLabel: string;
}

const containerHref = (c: LabelledContainer, action: string) =>
  `/dashboard/containers/${encodeURIComponent(c.name)}/${action}`;

const Row = (props: { c: LabelledContainer; csrf: string; now: Date }) => {
  const { c } = props;
  return (
    <tr>
      <td data-label="Container">
        <strong>{c.name}</strong>
        <div class="muted small">{c.image}</div>
      </td>
      <td data-label="State">
        <Badge status={c.state} /> {c.health ? <Badge status={c.health} /> : null}
      </td>
      <td data-label="Follows">
        {c.follows.map((f) => (f.branch ? `${f.repo}@${f.branch}` : f.repo)).join(', ')}
      </td>
      <td data-label="Last restart">
        {c.heldBack?.map((h) => (
          <div class="error-text small">
            Rolled back: {h.repository} held on {h.goodCommit.slice(0, 12)} (failed on{' '}
            {h.badCommit.slice(0, 12)})
          </div>
        ))}
        {c.lastRestart ? (
          <>
            <When at={c.lastRestart.at} now={props.now} /> <Badge status={c.lastRestart.result} />
            {c.lastRestart.message ? (
              <div class="error-text small">{c.lastRestart.message}</div>
            ) : null}
          </>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      <td data-label="Actions" class="actions">
        {(['start', 'stop', 'restart'] as const).map((action) => (
          <PostButton
            action={containerHref(c, action)}
            csrf={props.csrf}
            label={action[0]?.toUpperCase() + action.slice(1)}
            subject={c.name}
            id={`${action}-${c.id.slice(0, 12)}`}
            returnTo="/dashboard/containers"
          />
        ))}
        {c.heldBack ? (
          <PostButton
            action={containerHref(c, 'retry')}
            csrf={props.csrf}
            label="Retry"
            subject={c.name}
            id={`retry-${c.id.slice(0, 12)}`}
            returnTo="/dashboard/containers"
          />
        ) : null}
      </td>
    </tr>
  );
};

const Table = (props: ContainersData) => (
  <div class="table-wrap">
    <table class="stack-on-phone">
      <caption class="sr-only">Labelled containers</caption>
      <thead>
        <tr>
          {['Container', 'State', 'Follows', 'Last restart', 'Actions'].map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.containers.map((c) => (
          <Row c={c} csrf={props.csrf} now={props.now} />
        ))}
      </tbody>
    </table>
  </div>
);

/** Containers labelled to follow repositories, with start/stop/restart and a rebuild. */
export const ContainersPage = (props: ContainersData) => (
  <Layout title="Containers" section="containers" csrf={props.csrf} flash={props.flash}>
    {!props.engine ? (
      <Empty>
        Container restarts are not configured. Set CONTAINER_SOCKET to a Podman or Docker API
        socket.
      </Empty>
    ) : (
      <Live id="live-containers" src="/dashboard/containers" label="Containers">
        <p>
          Engine: {props.engine.available ? <Badge status="ok" /> : <Badge status="down" />}{' '}
          {props.engine.engine ?? ''} {props.engine.apiVersion ?? ''}
          {props.engine.message ? <span class="muted"> {props.engine.message}</span> : null}
        </p>
        {props.containers.length === 0 ? (
          <Empty>
            No container carries the label <code>{props.restartLabel}</code> yet.
          </Empty>
        ) : (
          <Table {...props} />
        )}
      </Live>
    )}
    {props.engine ? (
      <p>
        <a href="/dashboard/containers/plan">Restart plan</a>: what a change of a repository would
        restart, in which order, and why.
      </p>
    ) : null}
    {props.engine ? (
      <section class="card">
        <h2>Rebuild</h2>
        <form method="post" action="/dashboard/containers/rebuild" class="filters">
          <CsrfField token={props.csrf} />
          <label for="service">Compose service (empty for all)</label>
          <input id="service" name="service" maxlength={100} />
          <button type="submit" class="btn plain">
            Rebuild
          </button>
        </form>
      </section>
    ) : null}
  </Layout>
);
