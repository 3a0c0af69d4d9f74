import type { Logger } from '../shared/logger.js';

const TRANSIENT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|the database system is starting up|57P03/;

/**
 * Runs the first database operation, retrying while the server is not reachable yet: in a Compose
 * stack the database may still be starting when Starbridge does (docs/reference/bad-inputs.md#d05).
 * Anything else — a wrong password, a schema from a newer version — fails at once.
 */
export async function waitForDatabase<T>(
  operation: () => Promise<T>,
  log: Logger,
  options: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 30;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const text = `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? error}`;
      if (attempt >= attempts || !TRANSIENT.test(text)) throw error;
      log.warn({ attempt, err: error }, 'database not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 2_000));
    }
  }
}
