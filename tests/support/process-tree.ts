import { readdirSync, readFileSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** The executable's name, as `ps -o comm` shows it. */
  comm: string;
}

/** Every live process, from /proc (Linux). */
function listProcesses(): ProcInfo[] {
  const processes: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while listing
    }
    // `pid (comm) state ppid pgrp …`; comm may itself hold spaces and parentheses.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), comm });
  }
  return processes;
}

/** The processes started, directly or not, by `root`. */
export function descendantsOf(root: number): ProcInfo[] {
  const all = listProcesses();
  const found: ProcInfo[] = [];
  let parents = new Set([root]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid));
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

/**
 * SIGKILLs `root` and everything it started, as a container stop or a machine crash
 * would: children that lead their own process group (detached git and the helpers it
 * started) die with their whole group, so none of them finishes the work on its own.
 * The tree is listed first, because once `root` is gone its children are re-parented.
 */
export function killProcessTree(root: number): void {
  const tree = descendantsOf(root);
  process.kill(root, 'SIGKILL');
  for (const child of tree) {
    const targets = child.pgid === child.pid ? [-child.pid, child.pid] : [child.pid];
    for (const target of targets) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
