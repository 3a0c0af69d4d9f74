import { spawn } from 'node:child_process';

/** What a compose run printed (stdout and stderr interleaved, the tail only) and its exit. */
export interface ComposeRun {
  command: string[];
  exitCode: number;
  output: string;
  startedAt: string;
  finishedAt: string;
}

const OUTPUT_KEEP = 64 * 1024;

/**
 * Runs `COMPOSE_COMMAND [-f COMPOSE_FILE] up -d --build [service]` without a shell. The
 * child inherits Starbridge's environment (so `DOCKER_HOST`/`CONTAINER_HOST` reach it) and
 * is killed, with its process group, after `timeoutMs`.
 */
export function runCompose(
  compose: { command: string[]; file?: string },
  service: string | undefined,
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<ComposeRun> {
  const [program, ...base] = compose.command;
  const args = [
    ...base,
    ...(compose.file ? ['-f', compose.file] : []),
    'up',
    '-d',
    '--build',
    ...(service ? [service] : []),
  ];
  const startedAt = new Date().toISOString();
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    const finish = (exitCode: number, extra = '') =>
      resolve({
        command: [program ?? '', ...args],
        exitCode,
        output: output + extra,
        startedAt,
        finishedAt: new Date().toISOString(),
      });
    if (!program) return finish(127, 'COMPOSE_COMMAND is empty');
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(
      () => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      },
      options.timeoutMs ?? 15 * 60_000,
    );
    child.on('error', (error) => {
      clearTimeout(timer);
      finish(127, `\ncannot run ${program}: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      finish(code ?? 1, signal ? `\nstopped by ${signal} (time limit)` : '');
    });
  });
}
