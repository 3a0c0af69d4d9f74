import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Samples the argument list of every process on the machine (`/proc/<pid>/cmdline`) every
 * few milliseconds from a child process of its own, so the test's event loop (and the
 * doubles running in it) are not slowed down. Keeps each distinct argument list once.
 */
const SAMPLER = `
const fs = require('node:fs');
const seen = new Set();
let samples = 0;
function sample() {
  samples++;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid) || pid === String(process.pid)) continue;
    let raw;
    try { raw = fs.readFileSync('/proc/' + pid + '/cmdline'); } catch { continue; }
    const args = raw.toString('utf8').split('\\0').join(' ').trim();
    if (args && !seen.has(args)) { seen.add(args); process.stdout.write(JSON.stringify({ args }) + '\\n'); }
  }
}
const timer = setInterval(sample, Number(process.argv[1]));
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ samples }) + '\\n', () => process.exit(0));
});
`;

export interface ProcessSample {
  /** Every distinct argument list seen, arguments joined by spaces. */
  argLists: string[];
  /** How many times all processes were read. */
  samples: number;
}

export interface ProcessSampler {
  /** Stops sampling and returns what was seen. */
  stop(): Promise<ProcessSample>;
}

export function startProcessSampler(everyMs = 5): ProcessSampler {
  const child: ChildProcess = spawn(process.execPath, ['-e', SAMPLER, String(everyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const lines = out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { args?: string; samples?: number });
      return {
        argLists: lines.flatMap((l) => (l.args === undefined ? [] : [l.args])),
        samples: lines.find((l) => l.samples !== undefined)?.samples ?? 0,
      };
    },
  };
}
