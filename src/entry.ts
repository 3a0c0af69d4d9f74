// The process entry. It loads nothing but Node.js itself before checking the Node.js
// version, because the program's modules (the SQLite driver above all) fail on an older
// runtime with errors that do not say what to do.
import { nodeVersionProblem } from './runtime/node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exitCode = 1;
} else {
  await import('./main.js');
}
