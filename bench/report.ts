import type { Machine } from './machine.js';
import { type BenchSection, table } from './support.js';

/** The verdict table printed to the terminal. */
export function consoleTable(sections: BenchSection[]): string {
  const rows = sections.flatMap((s) =>
    s.targets.map((t) => [t.pass ? 'PASS' : 'FAIL', t.name, t.target, t.measured, t.ratio]),
  );
  const header = ['', 'Target', 'Goal', 'Measured', 'Ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i]!).length)));
  const line = (cells: string[]) => cells.map((c, i) => plain(c).padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function plain(text: string): string {
  return text.replace(/\*\*|`/g, '');
}

/** A warning when other work was using the cores as the run started. */
function contention(machine: Machine): string {
  const atStart = Number(machine.loadAtStart.split(' / ')[0]);
  if (atStart <= machine.cores * 0.5) return '';
  return `**Caution:** other work was running on this machine (1-minute load average ${atStart.toFixed(2)} on ${machine.cores} cores when the run started, before the benchmark had started anything). The service, the load generator, git and both doubles competed with it for the cores, so absolute times are slower and noisier than on an idle machine; ratios measured within one repetition, and CPU time per request, are the more stable figures. The load average at the end includes the benchmark's own processes.\n`;
}

/** docs/benchmarks.md */
export function markdown(options: {
  machine: Machine;
  command: string;
  sections: BenchSection[];
  durationMs: number;
  loadAtEnd: string;
  /** Benchmark scripts that write their own sections after this block. */
  external: string[];
}): string {
  const { machine, command, sections } = options;
  const verdicts = sections.flatMap((s) =>
    s.targets.map((t) => [t.name, t.target, t.measured, t.ratio, t.pass ? '**PASS**' : '**FAIL**']),
  );
  const failed = sections.flatMap((s) => s.targets).filter((t) => !t.pass);
  const out: string[] = [
    '# Benchmarks',
    '',
    `Measured with \`${command}\` (\`npm run bench\` builds first and runs every benchmark; \`node --import tsx bench/run.ts <name>\` runs one: ${sections.map((s) => `\`${s.id}\``).join(', ')}). Every ratio compares against a baseline measured in the same run.${options.external.length > 0 ? ` ${options.external.map((e) => `\`${e}\``).join(', ')} run${options.external.length === 1 ? 's' : ''} after these and append${options.external.length === 1 ? 's its' : ' their'} own section${options.external.length === 1 ? '' : 's'} below.` : ''}`,
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', machine.cpu],
        ['Cores', String(machine.cores)],
        ['RAM', `${machine.ramGiB} GiB`],
        ['OS', machine.os],
        ['Node', machine.node],
        ['git', machine.git],
        ['Date', machine.date],
        [
          'Load average (1/5/15 min)',
          `${machine.loadAtStart} at start, ${options.loadAtEnd} at end`,
        ],
        ['Total time', `${(options.durationMs / 1000).toFixed(0)} s`],
      ],
    ),
    '',
    contention(machine),
    '## Results',
    '',
    table(['Target', 'Goal', 'Measured', 'Ratio (same run)', 'Verdict'], verdicts),
    '',
    failed.length === 0
      ? 'Every target is met.'
      : `${failed.length} target(s) missed: ${failed.map((t) => t.name).join('; ')}. See the sections below for what was measured and where the time goes.`,
  ];
  for (const section of sections) {
    out.push('', `## ${section.title}`, '', section.details, '', '### Method', '', section.method);
  }
  out.push('');
  return out.join('\n');
}

const BEGIN = '<!-- BEGIN bench/run.ts: generated, edit the benchmarks instead -->';
const END = '<!-- END bench/run.ts -->';

/**
 * Puts freshly generated content into docs/benchmarks.md between markers and keeps what
 * other scripts appended outside them (bench/sources.ts appends its own section); when
 * such a section was appended more than once, only its latest copy is kept.
 */
export function mergeDoc(existing: string | undefined, generated: string): string {
  const block = `${BEGIN}\n\n${generated.trim()}\n\n${END}\n`;
  if (!existing) return block;
  let outside: string;
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  if (begin >= 0 && end > begin) {
    outside = existing.slice(0, begin) + existing.slice(end + END.length);
  } else {
    // An older generated file without markers: keep only sections this script did not write.
    const ours = new Set(['Machine', 'Results', ...generatedTitles(generated)]);
    const sections = existing.split(/^(?=## )/m).filter((part) => part.startsWith('## '));
    outside = sections.filter((part) => !ours.has(headingOf(part))).join('');
  }
  const latest = new Map<string, string>();
  for (const part of outside.split(/^(?=## )/m)) {
    if (part.startsWith('## ')) latest.set(headingOf(part), part.trimEnd());
  }
  const kept = [...latest.values()];
  return kept.length === 0 ? block : `${block}\n${kept.join('\n\n')}\n`;
}

function headingOf(section: string): string {
  return section.slice(3, section.indexOf('\n') >= 0 ? section.indexOf('\n') : undefined).trim();
}

function generatedTitles(generated: string): string[] {
  return [...generated.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
}
