// The serving cell, read once (AT+QENG="servingcell") or every period as 'reading' events. A
// poll is skipped while the modem is not ready (unplugged, resetting) and the loop goes on.
import { ConfigError, messageOf } from '../../errors.js';
import { nowNs } from '../../measure/types.js';
import type { ServingCell, UeReading } from '../types.js';
import { log, type ModemCore } from './core.js';
import type { AtCommands } from './replies.js';
import { parseServingCell, type LteSinrScale } from './servingcell.js';

export async function readServingCell(at: AtCommands, lteSinr: LteSinrScale | undefined): Promise<ServingCell> {
  const cmd = 'AT+QENG="servingcell"';
  const r = await at.send(cmd);
  // A line the parser passes over is reported by it; the parse error then is not reported again.
  let reported = false;
  const onUnparsed = (line: string, detail: string) => {
    reported = true;
    at.replies.reportUnparsed(cmd, line, detail);
  };
  return at.replies.parse(cmd, () => parseServingCell(r.lines, { lteSinr, onUnparsed }), () => reported);
}

export class ReadingLoop {
  private timer: NodeJS.Timeout | null = null;
  private periodMs = 0;
  private active = false;

  constructor(
    private readonly core: ModemCore,
    private readonly read: () => Promise<ServingCell>,
  ) {}

  /** Starts polling; called again while running, it only changes the period. */
  start(periodMs: number): void {
    if (!(periodMs > 0)) throw new ConfigError(`${this.core.id}: reading period must be > 0 ms`, 'CONFIG_INVALID');
    this.periodMs = periodMs;
    if (this.active) return;
    this.active = true;
    void this.tick();
  }

  stop(): void {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (!this.active) return;
    const core = this.core;
    const started = Date.now();
    if (core.health === 'ready') {
      try {
        const serving = await this.read();
        const reading: UeReading = { ueId: core.id, timestampNs: nowNs(), serving };
        if (this.active) core.emit({ kind: 'reading', reading });
      } catch (err) {
        log.debug({ ue: core.id, err: messageOf(err) }, 'serving-cell poll failed');
      }
    }
    if (!this.active) return;
    // The period is from start to start: a slow reply does not stretch it.
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.periodMs - (Date.now() - started)));
  }
}
