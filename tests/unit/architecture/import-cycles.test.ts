import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;

/** Import circles that are known and on their way out, each as its files sorted. */
const ALLOWED_CYCLES: string[][] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

// Static imports and re-exports (type-only ones too: a circle of types is still a circle
// of files) and dynamic `import('./…')`.
const SPECIFIER =
  /(?:\bimport\s[^'"]*?\bfrom\s*|\bexport\s[^'"]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.[^'"]+)['"]/g;

/** The relative imports of one file, resolved to repository paths. */
function relativeImports(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [, specifier] of text.matchAll(SPECIFIER)) {
    const resolved = resolveSource(join(dirname(file), specifier as string));
    if (resolved) found.push(resolved);
  }
  return found;
}

function resolveSource(path: string): string | undefined {
  const stem = path.replace(/\.(js|jsx|ts|tsx)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.tsx`, join(stem, 'index.ts')];
  return candidates.find((candidate) => existsSync(join(ROOT, candidate)));
}

/** Strongly connected components with more than one file, or a file importing itself. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;

  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };

  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    graph.set(file, relativeImports(file, text));
  }
  return graph;
}

const key = (files: string[]): string => files.join(' <-> ');

describe('imports under src/', () => {
  it('finds a circle in a small graph (the detector works)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(findCycles(graph).map(key).sort()).toEqual(['a.ts <-> b.ts <-> c.ts', 'd.ts']);
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const text = [
      "import { x } from './git-errors.js';",
      "import type { Y } from './git.port.js';",
      "export { z } from './git-remote.js';",
      "const m = await import('./git-runner.js');",
      "import { readFile } from 'node:fs/promises';",
    ].join('\n');
    expect(relativeImports('src/git/git.adapter.ts', text).sort()).toEqual([
      'src/git/git-errors.ts',
      'src/git/git-remote.ts',
      'src/git/git-runner.ts',
      'src/git/git.port.ts',
    ]);
  });

  it('form no circles', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    const allowed = new Set(ALLOWED_CYCLES.map((files) => key([...files].sort())));
    const circles = findCycles(graph)
      .map(key)
      .filter((cycle) => !allowed.has(cycle));
    expect(circles, 'each circle: move the shared type into a file both can import').toEqual([]);
  });
});
