// Reading replies: a command's way to the modem and the parse of what came back. A line the
// driver cannot use becomes AtProtocolError for the caller, a warning once per shape (a modem
// polled every second must not flood the log), and an 'unparsed' event every time (the trial
// writes it as a ue_event point, so the count is kept).
import { nowNs } from '../../measure/types.js';
import type { AtReply, SendOptions } from './channel.js';
import { log, type ModemCore } from './core.js';
import { AtParseError, AtProtocolError } from './errors.js';
import { shapeOf } from './fields.js';

/** What the command readers (identity.ts, registration.ts, ...) use of the driver. */
export interface AtCommands {
  readonly id: string;
  send(command: string, options?: SendOptions): Promise<AtReply>;
  readonly replies: ReplyParser;
}

export class ReplyParser {
  /** Shapes of unusable reply lines already logged at warn level. */
  private readonly shapes = new Set<string>();

  constructor(private readonly core: ModemCore) {}

  /** `f()`, with an AtParseError reported (unless `alreadyReported`) and thrown as AtProtocolError. */
  parse<T>(command: string, f: () => T, alreadyReported: () => boolean = () => false): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof AtParseError) {
        if (!alreadyReported()) this.reportUnparsed(command, err.line, err.detail);
        throw new AtProtocolError(this.core.id, command, err.message);
      }
      throw err;
    }
  }

  reportUnparsed(command: string, line: string, detail: string): void {
    const shape = `${command} ${shapeOf(line)}`;
    if (!this.shapes.has(shape)) {
      this.shapes.add(shape);
      log.warn({ ue: this.core.id, command, line: line.slice(0, 300), detail, shape }, 'modem reply the driver cannot use (logged once per shape)');
    }
    this.core.emit({ kind: 'unparsed', command, line: line.slice(0, 300), detail, timestampNs: nowNs() });
  }
}
