/**
 * Removes secrets from text that leaves the process (logs, errors, API answers, rows).
 * Two layers: the known secret values themselves, and credentials embedded in URLs or
 * Authorization headers whatever their value.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Array<string | undefined>) {
    // Longest first, so a secret that contains another is removed whole.
    this.secrets = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[REDACTED]');
    return redactCredentialPatterns(out);
  }
}

export function redactCredentialPatterns(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*(:[^/\s@]*)?@/gi, '$1[REDACTED]@')
    .replace(/(authorization:\s*(?:basic|bearer|token)\s+)[^\s"']+/gi, '$1[REDACTED]')
    .replace(/(authorization:\s*)(?!\[REDACTED\])(?!basic|bearer|token)[^\s"']+/gi, '$1[REDACTED]');
}
