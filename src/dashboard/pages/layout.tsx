/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { CsrfField } from './ui.js';

export type Section =
  | 'overview'
  | 'mirrors'
  | 'activity'
  | 'containers'
  | 'deliveries'
  | 'settings';

const NAV: Array<[Section, string, string]> = [
  ['overview', 'Overview', '/dashboard'],
  ['mirrors', 'Mirrors', '/dashboard/mirrors'],
  ['activity', 'Activity', '/dashboard/activity'],
  ['containers', 'Containers', '/dashboard/containers'],
  ['deliveries', 'Deliveries', '/dashboard/deliveries'],
  ['settings', 'Settings', '/dashboard/settings'],
];

// Eval and inline styles stay off: the CSP forbids both, and htmx would otherwise inject
// an inline <style> for its indicators.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
});

const Head = (props: { title: string }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="htmx-config" content={HTMX_CONFIG} />
    <title>{props.title} · Starbridge</title>
    <link rel="icon" href="/dashboard/assets/icon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/dashboard/assets/style.css" />
    <script src="/dashboard/assets/htmx.min.js" defer />
  </head>
);

/** Pages without a session: sign-in, "dashboard off", errors. */
export const BarePage = (props: { title: string; children: Child }) => (
  <html lang="en">
    <Head title={props.title} />
    <body class="bare">
      <main id="main" class="card narrow">
        <p class="brand">Starbridge</p>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </body>
  </html>
);

/** The signed-in frame: navigation, sign-out, the one-shot notice, then the page. */
export const Layout = (props: {
  title: string;
  section: Section;
  csrf: string;
  flash?: string | null;
  children: Child;
}) => (
  <html lang="en">
    <Head title={props.title} />
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/dashboard">
          Starbridge
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([section, label, href]) => (
              <li>
                <a href={href} aria-current={section === props.section ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form method="post" action="/dashboard/logout" class="signout">
          <CsrfField token={props.csrf} />
          <button type="submit" class="btn plain">
            Sign out
          </button>
        </form>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.flash ? (
          <p class="notice" role="status">
            {props.flash}
          </p>
        ) : null}
        {props.children}
      </main>
    </body>
  </html>
);
