/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { BarePage } from './layout.js';
import { CsrfField } from './ui.js';

export interface LoginData {
  csrf: string;
  /** Where to go after signing in (a dashboard path). */
  next: string;
  error?: string;
}

/** The sign-in form; the error text is generic on purpose (never "wrong user" vs "wrong password"). */
export const LoginPage = (props: LoginData) => (
  <BarePage title="Sign in">
    {props.error ? (
      <p class="notice bad" role="alert">
        {props.error}
      </p>
    ) : null}
    <form method="post" action="/dashboard/login" class="stack">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="next" value={props.next} />
      <label for="password">Dashboard password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        autofocus
        maxlength={1024}
      />
      <button type="submit" class="btn primary">
        Sign in
      </button>
    </form>
  </BarePage>
);

/** A plain explanation page: dashboard off, a refused form, a missing mirror. */
export const MessagePage = (props: { title: string; message: string; link?: [string, string] }) => (
  <BarePage title={props.title}>
    <p>{props.message}</p>
    {props.link ? (
      <p>
        <a href={props.link[1]}>{props.link[0]}</a>
      </p>
    ) : null}
  </BarePage>
);
