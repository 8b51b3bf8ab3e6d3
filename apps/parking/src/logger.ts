import pino, { type Logger } from 'pino';

/** Structured JSON logs; flows take a child logger per call (channelId, tenant, place). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'parking' } });
}
