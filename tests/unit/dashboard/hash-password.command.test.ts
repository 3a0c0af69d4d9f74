import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hashPasswordCommand } from '../../../src/dashboard/hash-password.command.js';
import { createPasswordVerifier } from '../../../src/dashboard/password.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

async function run(stdin: string) {
  const lines: string[] = [];
  const prompt = new PassThrough();
  let said = '';
  prompt.on('data', (chunk) => {
    said += String(chunk);
  });
  const code = await hashPasswordCommand(
    (line) => lines.push(line),
    { input: Readable.from([stdin]), prompt },
    CHEAP,
  );
  return { code, lines, said };
}

describe('starbridge hash-password', () => {
  it('reads the password from stdin and prints a hash that verifies it', async () => {
    const { code, lines } = await run('piped secret\n');
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const verify = createPasswordVerifier({ passwordHash: lines[0] });
    expect(await verify?.('piped secret')).toBe(true);
  });

  it('refuses an empty or over-long password and prints nothing', async () => {
    for (const input of ['\n', 'x'.repeat(2000)]) {
      const { code, lines, said } = await run(input);
      expect(code).toBe(1);
      expect(lines).toEqual([]);
      expect(said).toMatch(/nothing was printed/);
    }
  });
});
