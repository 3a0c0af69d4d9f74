/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { RestartPlan } from '../../containers/container.service.types.js';
import { Layout } from './layout.js';
import { Badge, Empty } from './ui.js';

export interface ContainerPlanData {
  csrf: string;
  flash?: string | null;
  /** What was asked (echoed into the form). */
  query: { repo: string; branch: string; paths: string };
  /** Absent until a repository is asked about. */
  plan?: RestartPlan;
}

/** Which containers a change of a repository would restart, in which order, and why. */
export const ContainerPlanPage = (props: ContainerPlanData) => (
  <Layout title="Restart plan" section="containers" csrf={props.csrf} flash={props.flash}>
    <form method="get" action="/dashboard/containers/plan" class="filters">
      <label for="repo">Repository (owner/name)</label>
      <input id="repo" name="repo" required maxlength={201} value={props.query.repo} />
      <label for="branch">Branch (default branch if empty)</label>
      <input id="branch" name="branch" maxlength={255} value={props.query.branch} />
      <label for="paths">Changed files, comma-separated (optional)</label>
      <input id="paths" name="paths" maxlength={8000} value={props.query.paths} />
      <button type="submit" class="btn plain">
        Show plan
      </button>
    </form>
    {props.plan ? <PlanTable plan={props.plan} /> : null}
  </Layout>
);

const PlanTable = ({ plan }: { plan: RestartPlan }) => (
  <section class="card" aria-label="Plan">
    <h2>
      A change of {plan.repository} on {plan.branch ?? '?'}
    </h2>
    {plan.heldBack ? (
      <p class="error-text">
        The working copy is held on {plan.heldBack.goodCommit.slice(0, 12)} after a rollback (failed
        on {plan.heldBack.badCommit.slice(0, 12)}).
      </p>
    ) : null}
    {plan.containers.length === 0 ? (
      <Empty>No container carries the restart label.</Empty>
    ) : (
      <div class="table-wrap">
        <table class="stack-on-phone">
          <caption class="sr-only">Containers and whether they would restart</caption>
          <thead>
            <tr>
              {['Order', 'Container', 'Restarts', 'After', 'Why'].map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {plan.containers.map((c) => (
              <tr>
                <td data-label="Order">{c.wave ?? '—'}</td>
                <td data-label="Container">
                  <strong>{c.name}</strong>
                </td>
                <td data-label="Restarts">
                  <Badge status={c.included ? 'yes' : 'no'} />
                </td>
                <td data-label="After">{c.after.join(', ') || '—'}</td>
                <td data-label="Why">{c.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </section>
);
