/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { SshKeyView } from '../../keys/keys.service.js';
import { mirrorHref } from './format.js';
import { CsrfField, Empty } from './ui.js';

/** Settings: generate, list (public key and fingerprint) and delete the SSH deploy keys. */
export const SshKeysCard = (props: { csrf: string; enabled: boolean; keys: SshKeyView[] }) => (
  <section class="card" id="ssh-keys">
    <h2>SSH deploy keys</h2>
    <p class="muted small">
      For private repositories the token cannot read: add a key's public key to the repository on
      GitHub (Settings → Deploy keys → Add deploy key, read access), then set the mirror to use it
      on its page. Private keys are stored encrypted and never shown.
    </p>
    {props.enabled ? (
      <form method="post" action="/dashboard/settings/keys" class="stack">
        <CsrfField token={props.csrf} />
        <label>
          Key name
          <input
            type="text"
            name="name"
            required
            maxlength={63}
            pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
            placeholder="e.g. octocat-private"
          />
        </label>
        <button type="submit" class="btn primary" id="generate-key">
          Generate key
        </button>
      </form>
    ) : (
      <p class="report bad" role="status">
        Set KEYS_SECRET_FILE to a file holding a random secret of at least 32 characters (it
        encrypts the private keys), then restart Starbridge to generate keys.
      </p>
    )}
    {props.keys.length === 0 ? (
      <Empty>No SSH key yet.</Empty>
    ) : (
      <div class="table-wrap">
        <table>
          <caption class="sr-only">SSH deploy keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Fingerprint and public key</th>
              <th scope="col">Used by</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((key) => (
              <tr data-key={key.name}>
                <th scope="row">{key.name}</th>
                <td>
                  <code class="fingerprint">{key.fingerprint}</code>
                  <br />
                  <code class="copy public-key">{key.publicKey}</code>
                </td>
                <td>
                  {key.mirrors.length === 0
                    ? 'no mirror'
                    : key.mirrors.map((repo) => (
                        <>
                          <a href={mirrorHref(repo)}>{repo}</a>{' '}
                        </>
                      ))}
                </td>
                <td>
                  <form
                    method="post"
                    action={`/dashboard/settings/keys/${encodeURIComponent(key.name)}/delete`}
                    class="inline"
                  >
                    <CsrfField token={props.csrf} />
                    <button
                      type="submit"
                      class="btn danger"
                      aria-label={`Delete key ${key.name}`}
                      disabled={key.mirrors.length > 0}
                    >
                      Delete
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </section>
);

/** A mirror's page: which deploy key it fetches with, and a form to change it. */
export const MirrorKeyCard = (props: {
  csrf: string;
  fullName: string;
  current: string | null;
  keys: string[];
}) => (
  <section class="card" id="ssh-key">
    <h2>Fetch over SSH</h2>
    <p>
      {props.current
        ? `Fetched over SSH with the deploy key ${props.current}.`
        : 'Fetched over HTTPS with the GitHub token.'}
    </p>
    {props.keys.length === 0 && !props.current ? (
      <p class="muted small">
        To fetch with a deploy key, generate one under{' '}
        <a href="/dashboard/settings#ssh-keys">Settings</a>.
      </p>
    ) : (
      <form method="post" action={mirrorHref(props.fullName, '/ssh-key')} class="stack">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="return_to" value={mirrorHref(props.fullName)} />
        <label>
          Deploy key
          <select name="key">
            <option value="" selected={props.current === null}>
              none (HTTPS with the token)
            </option>
            {props.keys.map((name) => (
              <option value={name} selected={props.current === name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn" id="set-key">
          Use this key
        </button>
      </form>
    )}
  </section>
);
