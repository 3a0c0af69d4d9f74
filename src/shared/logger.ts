import pino, { type DestinationStream, type Logger } from 'pino';
import type { Redactor } from './redact.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Human-readable lines (a terminal) instead of JSON (files, collectors). */
  pretty?: boolean;
  redactor?: Redactor;
  /** Where lines go; defaults to stdout. Tests pass a memory stream. */
  destination?: DestinationStream;
}

/** Field paths whose values are never written, whatever they contain. */
export const REDACTED_PATHS = [
  'token',
  'secret',
  'password',
  'passwordHash',
  '*.token',
  '*.secret',
  '*.password',
  '*.passwordHash',
  '*.privateKey',
  '*.webhookSecret',
  'headers.authorization',
  'headers["x-hub-signature-256"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'config.github.token',
  'config.onedev.token',
  'config.admin.token',
];

/** The root logger; components take `logger.child({ component })`. */
export function createLogger(options: LoggerOptions): Logger {
  const redactor = options.redactor;
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    // A last line of defence: a known secret value is scrubbed from every line, even one
    // that reached a message or an error's stack by a path nobody anticipated.
    ...(redactor ? { hooks: { streamWrite: (line: string) => redactor.redact(line) } } : {}),
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (options.pretty) {
    return pino(
      pinoOptions,
      pino.transport({
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss' },
      }),
    );
  }
  return pino(pinoOptions);
}
