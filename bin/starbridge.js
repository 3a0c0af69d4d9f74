#!/usr/bin/env node
// The installed command. Checks the Node.js version and that the build exists before
// loading the program, so either mistake gets one line saying what to do.
const SUPPORTED_NODE_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < SUPPORTED_NODE_MAJOR) {
  console.error(
    `starbridge needs Node.js ${SUPPORTED_NODE_MAJOR} or newer, but this is ${process.version}: ` +
      `install Node.js ${SUPPORTED_NODE_MAJOR} (https://nodejs.org, or \`nvm install\` in the starbridge folder)`,
  );
  process.exit(1);
}

const entry = new URL('../dist/src/main.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  const missing =
    error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/main.js');
  if (!missing) throw error;
  console.error(
    `starbridge is not built (${entry.pathname} is missing): run \`npm ci && npm run build\` in ${new URL('..', import.meta.url).pathname}`,
  );
  process.exit(1);
}
