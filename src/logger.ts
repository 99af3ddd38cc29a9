import pino, { type DestinationStream, type Logger } from 'pino';

// Credentials never reach a log line, whatever a caller passes in.
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-claude-proxy-token"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-claude-proxy-token"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-claude-proxy-token"]',
  '*.apiKey',
];

/** Structured JSON logs to stderr (or `destination`); human-readable only when stderr is a terminal. */
export function createLogger(level: string, pretty = process.stderr.isTTY === true, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } };
  if (destination) return pino(options, destination);
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  return pino(options, pino.destination({ fd: 2, sync: false }));
}
