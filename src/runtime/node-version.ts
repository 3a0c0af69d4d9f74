/** The oldest Node.js major this program supports (package.json `engines`, `.nvmrc`). */
export const SUPPORTED_NODE_MAJOR = 24;

/**
 * One line saying what is wrong and how to fix it, or undefined when `version` (as in
 * `process.versions.node`) is supported. Imports nothing, so it runs on any Node.js.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= SUPPORTED_NODE_MAJOR) return undefined;
  return (
    `starbridge needs Node.js ${SUPPORTED_NODE_MAJOR} or newer, but this is v${version}: ` +
    `install Node.js ${SUPPORTED_NODE_MAJOR} (https://nodejs.org, or \`nvm install\` in this folder), ` +
    'or run it through `npm start`, which uses the Node.js that `npm ci` installs on Linux x64'
  );
}
