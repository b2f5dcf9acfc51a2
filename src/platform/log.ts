import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear: secrets never reach the logs even when a
 * whole request or object is logged by mistake.
 */
export const redactedPaths = [
  'password', '*.password', 'newPassword', '*.newPassword', 'token', '*.token', 'botToken', '*.botToken',
  'apiHash', '*.apiHash', 'api_hash', '*.api_hash', 'session', '*.session', 'secret', '*.secret',
  'initData', '*.initData', 'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie', 'req.headers["x-telegram-bot-api-secret-token"]',
];

/** JSON logs on stdout (ELK-ready); `tenant_id`, `bot_id`, `request_id` are added as child bindings. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kovan' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Bot tokens can also hide inside URLs and error messages (`/bot123:abc/sendMessage`); mask them. */
export function maskBotTokens(text: string): string {
  return text.replace(/\d{5,12}:[A-Za-z0-9_-]{30,}/g, '[bot-token]');
}
