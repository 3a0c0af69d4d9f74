import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, SUPPORTED_NODE_MAJOR } from '../../../src/runtime/node-version.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the supported Node.js version', () => {
  it('is the one package.json, .nvmrc and bin/starbridge.js name', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${SUPPORTED_NODE_MAJOR}`);
    expect(read('.nvmrc').trim().split('.')[0]).toBe(String(SUPPORTED_NODE_MAJOR));
    expect(read('bin/starbridge.js')).toContain(`SUPPORTED_NODE_MAJOR = ${SUPPORTED_NODE_MAJOR};`);
  });

  it('accepts it and newer, and names what to install for older', () => {
    expect(nodeVersionProblem('24.0.0')).toBeUndefined();
    expect(nodeVersionProblem('26.1.0')).toBeUndefined();
    expect(nodeVersionProblem('20.19.2')).toMatch(
      /^starbridge needs Node\.js 24 or newer, but this is v20\.19\.2: install Node\.js 24 \(/,
    );
  });
});
