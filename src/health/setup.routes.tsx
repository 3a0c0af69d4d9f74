/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { BarePage } from '../dashboard/pages/layout.js';
import { render } from '../dashboard/render.js';
import { packageRoot } from '../shared/build-info.js';
import type { SetupItem, SetupReport } from './setup.js';

// The dashboard's frame: its own stylesheet, icon and script only, nothing inline.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const GUIDE_PATH = '/getting-started';

/**
 * `/`: the dashboard when it has a password; otherwise a first-run page listing each
 * integration as configured or missing, with the variables that turn it on. It reads the
 * configuration only (never a value), so it is safe to leave open.
 */
export function setupRoutes(setup: SetupReport): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    if (setup.dashboardEnabled) return c.redirect('/dashboard', 302);
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-store');
    return render(c, <SetupPage items={setup.items} />);
  });
  app.get(GUIDE_PATH, async (c) => {
    const guide = await readFile(join(packageRoot(), 'docs/getting-started.md'), 'utf8').catch(
      () => undefined,
    );
    if (guide === undefined) {
      return c.text('The guide is docs/getting-started.md in the Starbridge source.', 404);
    }
    c.header('Content-Security-Policy', CSP);
    return c.text(guide, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });
  return app;
}

const SetupPage = (props: { items: SetupItem[] }) => {
  const missing = props.items.filter((i) => i.required && !i.configured);
  return (
    <BarePage title="Set up Starbridge">
      <p>
        Starbridge is running. Set the variables below in the environment or in a <code>.env</code>{' '}
        file next to where it starts, then restart it.
      </p>
      {missing.length > 0 ? (
        <p class="notice bad" role="status">
          Nothing is mirrored until {missing.map((i) => i.name).join(' and ')}{' '}
          {missing.length === 1 ? 'is' : 'are'} configured.
        </p>
      ) : null}
      <div class="table-wrap setup">
        <table class="stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Integration</th>
              <th scope="col">State</th>
              <th scope="col">Set</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((item) => (
              <SetupRow item={item} />
            ))}
          </tbody>
        </table>
      </div>
      <p>
        The <a href={GUIDE_PATH}>getting-started guide</a> says where each token comes from and
        which scopes it needs; setting <code>DASHBOARD_PASSWORD</code> turns this page into the
        dashboard.
      </p>
    </BarePage>
  );
};

const SetupRow = (props: { item: SetupItem }) => {
  const { item } = props;
  const state = item.configured ? 'configured' : item.required ? 'missing' : 'off';
  const badge = item.configured ? 'good' : item.required ? 'bad' : 'muted';
  return (
    <tr>
      <td data-label="Integration">
        <strong>{item.name}</strong>
        <br />
        {item.purpose}
      </td>
      <td data-label="State">
        <span class={`badge ${badge}`}>{state}</span>
      </td>
      <td data-label="Set">
        {item.variables.map((group, i) => (
          <>
            {i > 0 ? ' or ' : null}
            {group.map((name, j) => (
              <>
                {j > 0 ? ' and ' : null}
                <code>{name}</code>
              </>
            ))}
          </>
        ))}
      </td>
    </tr>
  );
};
