import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const SCANNED = ['src', 'tests', 'bench', 'scripts'];
const TEXT = /\.(?:[cm]?[jt]sx?|md|json|ya?ml|sh)$/;

function files(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path);
    return TEXT.test(entry.name) ? [path] : [];
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_~]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: its headings, and explicit `id`/`name` attributes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const seen = counts.get(base) ?? 0;
      counts.set(base, seen + 1);
      anchors.add(seen === 0 ? base : `${base}-${seen}`);
    }
    for (const [, id] of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id as string);
  }
  return anchors;
}

interface Citation {
  file: string;
  line: number;
  doc: string;
  anchor: string | undefined;
}

/**
 * Every `docs/<path>.md` and `docs/<path>.md#anchor` in the text, with the shorthand
 * `docs/x.md#a, #b and #c` read as three anchors of the same file.
 */
function citationsIn(file: string, text: string): Citation[] {
  const citations: Citation[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const cite =
      /(?<![\w/.-])(docs\/[\w./-]*?\.md)((?:#[\w-]+)(?:(?:,\s*|\s+and\s+|,\s*and\s+)#[\w-]+)*)?/g;
    for (const [, doc, anchors] of line.matchAll(cite)) {
      const base = { file, line: index + 1, doc: doc as string };
      if (!anchors) citations.push({ ...base, anchor: undefined });
      for (const [, anchor] of (anchors ?? '').matchAll(/#([\w-]+)/g))
        citations.push({ ...base, anchor });
    }
  }
  return citations;
}

/** Codes of docs/reference/bad-inputs.md named in parentheses, e.g. `(G14)`, `(W09, W21)`. */
function badInputCodesIn(text: string): string[] {
  const codes: string[] = [];
  for (const [, group] of text.matchAll(
    /\(((?:[ACDGOPRW]\d{2})(?:(?:,\s*|\/|\s+and\s+)[ACDGOPRW]\d{2})*)\)/g,
  ))
    codes.push(...((group as string).match(/[ACDGOPRW]\d{2}/g) ?? []));
  return codes;
}

const scanned = SCANNED.flatMap(files).filter((file) => !file.endsWith('references.test.ts'));

describe('references in code comments and test names', () => {
  it('cite only documents and anchors that exist in this repository', () => {
    const anchorCache = new Map<string, Set<string>>();
    const broken: string[] = [];
    let count = 0;
    for (const file of scanned) {
      for (const citation of citationsIn(file, read(file))) {
        count++;
        const where = `${citation.file}:${citation.line}`;
        if (!existsSync(join(ROOT, citation.doc))) {
          broken.push(`${where}: ${citation.doc} does not exist`);
          continue;
        }
        if (citation.anchor === undefined) continue;
        const anchors = anchorCache.get(citation.doc) ?? anchorsOf(read(citation.doc));
        anchorCache.set(citation.doc, anchors);
        if (!anchors.has(citation.anchor))
          broken.push(`${where}: ${citation.doc} has no heading #${citation.anchor}`);
      }
    }
    // The scan itself must keep finding the references the code relies on.
    expect(count).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });

  it('name only bad-input codes that docs/reference/bad-inputs.md defines', () => {
    const defined = anchorsOf(read('docs/reference/bad-inputs.md'));
    const unknown: string[] = [];
    for (const file of scanned) {
      for (const code of badInputCodesIn(read(file))) {
        if (!defined.has(code.toLowerCase())) unknown.push(`${file}: ${code}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('do not cite documents that are not in the repository', () => {
    const outside: string[] = [];
    for (const file of scanned) {
      for (const [index, line] of read(file).split('\n').entries()) {
        const where = `${file}:${index + 1}`;
        if (/onedev-api\.md|fault-catalogue|shared\/docs/.test(line)) outside.push(where);
        if (file.startsWith('src/') && (/catalogue/i.test(line) || line.includes('§')))
          outside.push(where);
      }
    }
    expect(outside).toEqual([]);
  });
});

describe('the reference checks themselves', () => {
  it('read anchors the way GitHub makes them', () => {
    const anchors = anchorsOf(
      "# Title\n## O: OneDev's answers\n### G14\n## 409 from a proxy\n## Title\n",
    );
    expect([...anchors]).toEqual([
      'title',
      'o-onedevs-answers',
      'g14',
      '409-from-a-proxy',
      'title-1',
    ]);
  });

  it('read one file with several anchors, and bare documents', () => {
    const text = '// see (docs/reference/onedev.md#a, #b and #c) and docs/mirroring.md.';
    expect(
      citationsIn('x.ts', text).map((c) => `${c.doc}${c.anchor ? `#${c.anchor}` : ''}`),
    ).toEqual([
      'docs/reference/onedev.md#a',
      'docs/reference/onedev.md#b',
      'docs/reference/onedev.md#c',
      'docs/mirroring.md',
    ]);
  });

  it('find bad-input codes in parentheses only', () => {
    expect(badInputCodesIn("it('refuses (W09, W21)') // (R05/R06) G14 alone")).toEqual([
      'W09',
      'W21',
      'R05',
      'R06',
    ]);
  });
});
