import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword, MAX_PASSWORD_BYTES, type ScryptParams } from './password.js';

export interface PasswordInput {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where prompts go (stderr), so stdout carries only the hash. */
  prompt: NodeJS.WritableStream;
}

/** Reads a line without echoing it: the password never shows on screen or in argv. */
function askHidden(question: string, io: PasswordInput): Promise<string> {
  io.prompt.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.input, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      io.prompt.write('\n');
      resolve(answer);
    });
  });
}

/** All of stdin (a pipe or a file), less one trailing newline. */
async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.length > MAX_PASSWORD_BYTES * 4) break;
  }
  return text.replace(/\r?\n$/, '');
}

async function readPassword(io: PasswordInput): Promise<string | { problem: string }> {
  if (!io.input.isTTY) return readAll(io.input);
  const first = await askHidden('Dashboard password: ', io);
  const second = await askHidden('Again, to confirm: ', io);
  return first === second ? first : { problem: 'the two passwords differ' };
}

/**
 * `starbridge hash-password`: reads the password from a prompt or stdin (never argv, which
 * other users can see in the process list) and prints a DASHBOARD_PASSWORD_HASH value.
 */
export async function hashPasswordCommand(
  out: (line: string) => void,
  io: PasswordInput = { input: process.stdin, prompt: process.stderr },
  params?: ScryptParams,
): Promise<number> {
  const password = await readPassword(io);
  const problem =
    typeof password !== 'string'
      ? password.problem
      : password.length === 0
        ? 'the password is empty'
        : Buffer.byteLength(password) > MAX_PASSWORD_BYTES
          ? `the password is longer than ${MAX_PASSWORD_BYTES} bytes`
          : undefined;
  if (problem || typeof password !== 'string') {
    io.prompt.write(`starbridge: ${problem}; nothing was printed\n`);
    return 1;
  }
  out(await hashPassword(password, params));
  return 0;
}
