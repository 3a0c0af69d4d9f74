/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { SshKeyView } from '../../keys/keys.service.js';
import type { SettingRow } from '../effective-settings.js';
import type { TokenReport } from '../token-checks.js';
import { Layout } from './layout.js';
import { SshKeysCard } from './ssh-keys.js';
import { CsrfField } from './ui.js';

export interface SettingsData {
  csrf: string;
  flash?: string | null;
  settings: SettingRow[];
  webhook: { url: string; secretSet: boolean; events: string[]; appEvents: string[] };
  checks: { github?: TokenReport; onedev?: TokenReport };
  /** Undefined where the keys feature is not wired (then the card is not shown). */
  sshKeys?: { enabled: boolean; keys: SshKeyView[] };
}

const Report = (props: { report?: TokenReport }) => {
  const r = props.report;
  if (!r) return null;
  return (
    <div class={`report ${r.ok ? 'good' : 'bad'}`} role="status">
      <p>
        <strong>{r.ok ? 'Works: ' : 'Problem: '}</strong>
        {r.summary}
      </p>
      {r.can.length > 0 ? (
        <ul aria-label="It can">
          {r.can.map((c) => (
            <li>✓ can {c}</li>
          ))}
        </ul>
      ) : null}
      {r.cannot.length > 0 ? (
        <ul aria-label="It cannot">
          {r.cannot.map((c) => (
            <li>✗ cannot {c}</li>
          ))}
        </ul>
      ) : null}
      {r.unchecked?.length ? (
        <ul aria-label="Not checked">
          {r.unchecked.map((c) => (
            <li>? not checked: {c}</li>
          ))}
        </ul>
      ) : null}
      {r.how ? <p class="muted small">{r.how}</p> : null}
    </div>
  );
};

const Check = (props: {
  which: 'github' | 'onedev';
  label: string;
  csrf: string;
  report?: TokenReport;
}) => (
  <div class="check-block">
    <form method="post" action={`/dashboard/settings/check-${props.which}`} class="inline">
      <CsrfField token={props.csrf} />
      <button type="submit" class="btn plain" id={`check-${props.which}`}>
        {props.label}
      </button>
    </form>
    <Report report={props.report} />
  </div>
);

const Webhook = (props: SettingsData['webhook']) => (
  <dl class="facts">
    <dt>Payload URL</dt>
    <dd>
      <code class="copy">{props.url}</code>
    </dd>
    <dt>Content type</dt>
    <dd>
      <code>application/json</code>
    </dd>
    <dt>Secret</dt>
    <dd>
      {props.secretSet
        ? 'the value of GITHUB_WEBHOOK_SECRET'
        : 'set GITHUB_WEBHOOK_SECRET first: until then the webhook answers 503'}
    </dd>
    <dt>Events</dt>
    <dd>
      {props.events.join(', ')}
      <div class="muted small">For a GitHub App, also: {props.appEvents.join(', ')}</div>
    </dd>
  </dl>
);

/** Settings: configuration in effect (secrets masked), the webhook to enter, token checks. */
export const SettingsPage = (props: SettingsData) => (
  <Layout title="Settings" section="settings" csrf={props.csrf} flash={props.flash}>
    <div class="grid">
      <section class="card">
        <h2>GitHub webhook</h2>
        <Webhook {...props.webhook} />
      </section>
      <section class="card">
        <h2>Tokens</h2>
        <Check
          which="github"
          label="Check the GitHub token"
          csrf={props.csrf}
          report={props.checks.github}
        />
        <Check
          which="onedev"
          label="Check the OneDev token"
          csrf={props.csrf}
          report={props.checks.onedev}
        />
      </section>
    </div>
    {props.sshKeys ? <SshKeysCard csrf={props.csrf} {...props.sshKeys} /> : null}
    <section class="card">
      <h2>Configuration in effect</h2>
      <div class="table-wrap">
        <table class="kv">
          <caption class="sr-only">Configuration variables and their values</caption>
          <thead>
            <tr>
              <th scope="col">Variable</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {props.settings.map((s) => (
              <tr>
                <th scope="row">
                  <code>{s.name}</code>
                </th>
                <td class={s.secret ? 'muted' : ''}>{s.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">Change these in the environment or .env, then restart Starbridge.</p>
    </section>
  </Layout>
);
