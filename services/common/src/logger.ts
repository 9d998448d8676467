import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; every line carries the service name (request lines add reqId and traceId). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
