import { parseStarLists } from './star-lists.js';

/** A OneDev project name: letters, digits, `_ . -`, not starting with `.` or `-`. */
const ONEDEV_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Rules that span variables; they read the raw strings so they report even when a field failed. */
export function crossFieldProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.ONEDEV_URL && !raw.ONEDEV_TOKEN) {
    problems.push('ONEDEV_TOKEN: required when ONEDEV_URL is set (a OneDev access token)');
  }
  if (raw.ONEDEV_TOKEN && !raw.ONEDEV_URL) {
    problems.push(
      'ONEDEV_URL: required when ONEDEV_TOKEN is set (for example https://onedev.example.com)',
    );
  }
  if (raw.ONEDEV_URL && /\/\/[^/]*@/.test(raw.ONEDEV_URL)) {
    problems.push('ONEDEV_URL: must not contain credentials; put the access token in ONEDEV_TOKEN');
  }
  for (const segment of (raw.ONEDEV_ROOT_PROJECT ?? '').split('/').filter(Boolean)) {
    if (!ONEDEV_NAME.test(segment)) {
      problems.push(
        `ONEDEV_ROOT_PROJECT: "${segment}" is not a valid OneDev project name (letters, digits, _ . -; not starting with . or -)`,
      );
    }
  }
  problems.push(...parseStarLists(raw.GITHUB_STAR_LISTS).problems);
  if (raw.GITHUB_STAR_LISTS?.trim() && !raw.GITHUB_TOKEN) {
    problems.push(
      'GITHUB_STAR_LISTS: needs GITHUB_TOKEN (GitHub shows Star Lists only through its GraphQL API, which answers only to a token)',
    );
  }
  if (Boolean(raw.GITHUB_APP_ID) !== Boolean(raw.GITHUB_APP_PRIVATE_KEY)) {
    problems.push(
      'GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY: GitHub App mode needs both the app id and its private key',
    );
  }
  if (raw.DASHBOARD_PASSWORD && raw.DASHBOARD_PASSWORD_HASH) {
    problems.push('DASHBOARD_PASSWORD, DASHBOARD_PASSWORD_HASH: set only one of them');
  }
  if (
    raw.DASHBOARD_PASSWORD_HASH &&
    !/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(raw.DASHBOARD_PASSWORD_HASH)
  ) {
    problems.push('DASHBOARD_PASSWORD_HASH: must be a hash printed by `starbridge hash-password`');
  }
  problems.push(...databasePasswordProblems(raw));
  if (raw.COMPOSE_FILE && !raw.COMPOSE_COMMAND) {
    problems.push('COMPOSE_FILE: only used with COMPOSE_COMMAND (e.g. podman-compose)');
  }
  if (/^\s*0+\s*$/.test(raw.RESTART_HEALTH_SAMPLES ?? '')) {
    problems.push('RESTART_HEALTH_SAMPLES: must be at least 1 (one look right after the restart)');
  }
  if (raw.RESTART_LABEL && !/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(raw.RESTART_LABEL)) {
    problems.push('RESTART_LABEL: must be a container label key such as restart-after');
  }
  return problems;
}

/** DATABASE_PASSWORD goes with a PostgreSQL URL that carries no password of its own. */
function databasePasswordProblems(raw: Record<string, string | undefined>): string[] {
  if (!raw.DATABASE_PASSWORD) return [];
  // Unset, DATABASE_URL is the SQLite default.
  if (!raw.DATABASE_URL || raw.DATABASE_URL.startsWith('sqlite:')) {
    return ['DATABASE_PASSWORD: only used with a postgres:// DATABASE_URL'];
  }
  return /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(raw.DATABASE_URL)
    ? ['DATABASE_URL, DATABASE_PASSWORD: the URL has a password too; keep it in one place']
    : [];
}
