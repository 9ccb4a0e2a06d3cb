// Structured logging: one JSON line per event on stderr (stdout is for reports and tables).
// Secrets never go through here: redact the usual key names as a second line of defence.
import { pino, type Logger } from 'pino';

// The CLI prints human progress itself; structured lines below 'warn' only when asked
// (RANLAB_LOG_LEVEL=info or debug). Agents started by the controller inherit the setting.
const level = process.env.RANLAB_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'warn');

export const log: Logger = pino(
  {
    level,
    base: { pid: process.pid },
    redact: { paths: ['*.privateKey', '*.key', '*.mnemonic', 'privateKey', 'key', 'mnemonic'], censor: '[redacted]' },
  },
  pino.destination(2),
);

export function childLog(component: string): Logger {
  return log.child({ component });
}
