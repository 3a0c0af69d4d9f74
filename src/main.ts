// The composition root: the only module that reads the environment, creates the root
// logger, installs signal handlers and exits the process.
import { existsSync } from 'node:fs';
import { runCommand } from './cli/cli.js';
import { answerEarly } from './cli/usage.js';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { startService } from './service.js';
import { createLogger, type Logger } from './shared/logger.js';
import { Redactor } from './shared/redact.js';

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...args] = argv;
  // Help, version and usage errors read neither .env nor the database.
  const early = answerEarly(command, args);
  if (early) {
    (early.stream === 'out' ? console.log : console.error)(early.text);
    return early.code;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(
      `starbridge: ${error.message}\nFix these variables (see .env.example) and start again.`,
    );
    return 2;
  }
  const redactor = new Redactor(secretValues(config));
  const log = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY, redactor });
  return runCommand(command, args, {
    config,
    log,
    out: (line) => console.log(redactor.redact(line)),
    err: (line) => console.error(redactor.redact(line)),
    serve: () => serveUntilSignal(config, log, redactor),
    redactor,
  });
}

function secretValues(config: Config): Array<string | undefined> {
  const dbPassword = config.db.dialect === 'postgres' ? new URL(config.db.url).password : undefined;
  return [
    config.github.token,
    config.github.app?.privateKey,
    config.github.webhookSecret,
    config.onedev?.token,
    config.admin.token,
    config.dashboard.password,
    config.dashboard.passwordHash,
    config.notify.secret,
    config.metrics.token,
    dbPassword ? decodeURIComponent(dbPassword) : undefined,
    config.db.dialect === 'postgres' ? config.db.password : undefined,
  ];
}

async function serveUntilSignal(config: Config, log: Logger, redactor: Redactor): Promise<number> {
  const service = await startService(config, log, { redactor });
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal; exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'signal received');
      service.stop().then(
        () => resolve(0),
        (error) => {
          log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`starbridge: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
