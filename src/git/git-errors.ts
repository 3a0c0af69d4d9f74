import { redactCredentialPatterns } from '../shared/redact.js';
import { UpstreamError } from '../shared/upstream-error.js';
import type { GitFailureKind, TextRedactor } from './git.port.js';
import { type GitFailureContext, lastLines, matchRule, type Verdict } from './git-failure-rules.js';
import type { GitRunResult } from './git-process.js';

export type { GitFailureContext } from './git-failure-rules.js';

/**
 * A failed git operation. `reason` is `git_<kind>`; `message` and `stderrTail` are
 * redacted (the call's credential, the configured secrets, and any `user:pass@` or
 * `Authorization:` pattern), so both are safe to log and store.
 */
export class GitCommandError extends UpstreamError {
  readonly kind: GitFailureKind;
  /** The last few lines git wrote to stderr (and stdout for push), redacted. */
  readonly stderrTail: string;
  readonly exitCode: number | null;
  readonly signal: string | null;

  constructor(
    kind: GitFailureKind,
    message: string,
    options: {
      retryable: boolean;
      stderrTail?: string;
      exitCode?: number | null;
      signal?: string | null;
    },
  ) {
    super(`git_${kind}`, message, { retryable: options.retryable });
    this.kind = kind;
    this.stderrTail = options.stderrTail ?? '';
    this.exitCode = options.exitCode ?? null;
    this.signal = options.signal ?? null;
  }
}

/**
 * Turns a failed run into a {@link GitCommandError}: kind and retryability from the exit,
 * the signal and stderr (stable under `LC_ALL=C`), a message saying what went wrong, and
 * a redacted tail of what git said.
 */
export function gitFailure(
  result: GitRunResult,
  ctx: GitFailureContext,
  redactor: TextRedactor,
): GitCommandError {
  const scrub = (text: string): string => redactCredentialPatterns(redactor.redact(text));
  const output = `${result.stderr}\n${ctx.op === 'push' ? result.stdout : ''}`;
  const tail = scrub(lastLines(output, 5));
  const verdict = judge(result, output, ctx);
  const prefix = `git ${ctx.op}${ctx.url ? ` ${ctx.url}` : ''} failed`;
  return new GitCommandError(verdict.kind, scrub(`${prefix}: ${verdict.message}`), {
    retryable: verdict.retryable,
    stderrTail: tail,
    exitCode: result.exitCode,
    signal: result.signal,
  });
}

function judge(result: GitRunResult, output: string, ctx: GitFailureContext): Verdict {
  if (result.aborted) {
    // A caller aborts on shutdown or cancel: nothing is wrong with the repository.
    return { kind: 'aborted', retryable: true, message: 'aborted before it finished' };
  }
  if (result.timedOut) {
    return {
      kind: 'timeout',
      retryable: true,
      message: `no result from ${ctx.host ?? 'the remote'} within ${seconds(ctx.timeoutMs)}; the process was killed`,
    };
  }
  if (result.spawnError) {
    const missing = (result.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      kind: 'unknown',
      retryable: false,
      message: missing
        ? 'git is not installed or not on PATH'
        : `could not start git (${result.spawnError.message})`,
    };
  }
  const matched = matchRule(output, ctx);
  if (matched) return matched;
  const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
  const said = lastLines(output, 1);
  return {
    kind: 'unknown',
    // A foreign signal (OOM killer, operator) is worth one more try; an unknown message is not.
    retryable: result.signal !== null,
    message: `${how}${said ? `: ${said}` : ''}`,
  };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;
}

/** A non-retryable failure Starbridge decides itself, before or instead of running git. */
export function refusal(kind: GitFailureKind, message: string): GitCommandError {
  return new GitCommandError(kind, redactCredentialPatterns(message), { retryable: false });
}
