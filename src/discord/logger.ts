import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.js';

/** Paths pino blanks out, so the token never reaches a log line however it is passed. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'config.token',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** Structured JSON logs on stdout (or `destination`), with the token redacted. */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'police-inspections-bot' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Removes the token from free text (error messages, URLs) before it is logged or shown. */
export function scrubToken(text: string, token: string | undefined): string {
  return token && token.length >= 8 ? text.split(token).join('[redacted]') : text;
}
