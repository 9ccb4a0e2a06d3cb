// Whether the server takes writes, and when to try it again while it does not: the delay
// doubles from retryMinMs up to retryMaxMs with each failure and resets on a success.
import { childLog } from '../../log.js';

const log = childLog('influx');

export class ServerHealth {
  /** False from a failed write until a write succeeds again. */
  connected = true;
  lastError: string | null = null;
  private retryDelay: number;
  private nextRetryAt = 0;

  constructor(private readonly s: { url: string; spoolPath: string; retryMinMs: number; retryMaxMs: number }) {
    this.retryDelay = s.retryMinMs;
  }

  /** Down, and the backoff has not run out yet. */
  get waitingToRetry(): boolean {
    return Date.now() < this.nextRetryAt;
  }

  wentDown(message: string): void {
    this.lastError = message;
    this.nextRetryAt = Date.now() + this.retryDelay;
    this.retryDelay = Math.min(this.s.retryMaxMs, this.retryDelay * 2);
    if (this.connected) {
      this.connected = false;
      log.warn({ url: this.s.url, reason: message, spoolDir: this.s.spoolPath }, 'InfluxDB write failed; spooling to disk');
    }
  }

  cameBack(): void {
    this.retryDelay = this.s.retryMinMs;
    this.nextRetryAt = 0;
    if (!this.connected) {
      this.connected = true;
      log.info({ url: this.s.url }, 'InfluxDB writes succeed again');
    }
  }
}
