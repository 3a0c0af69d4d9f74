import { readFileSync } from 'node:fs';

/** Variables that may hold a secret and so may be given as `NAME_FILE` (container secrets). */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_PASSWORD',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
  'ONEDEV_TOKEN',
  'ADMIN_TOKEN',
  'DASHBOARD_PASSWORD',
  'DASHBOARD_PASSWORD_HASH',
  'NOTIFY_URL',
  'NOTIFY_SECRET',
  'METRICS_TOKEN',
  'KEYS_SECRET',
] as const;

/**
 * Replaces `NAME_FILE` with the file's content under `NAME`. Setting both is a mistake
 * (which one wins would be a guess), so it is reported rather than resolved silently.
 */
export function resolveSecretFiles(
  env: Record<string, string | undefined>,
  names: readonly string[],
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { values: Record<string, string | undefined>; problems: string[] } {
  const values = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const filePath = env[`${name}_FILE`];
    if (!filePath) continue;
    if (env[name]) {
      problems.push(`${name}, ${name}_FILE: set only one of them`);
      continue;
    }
    try {
      // Secret files usually end with a newline that is not part of the secret.
      values[name] = readFile(filePath).replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${filePath} (${reason})`);
    }
  }
  return { values, problems };
}
