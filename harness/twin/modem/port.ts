// The module's side of its serial port: a real pseudo-terminal (native/pty.ts) with an optional
// stable link (like /dev/serial/by-id/...), command lines in, framed reply lines out.
import { renameSync, rmSync, symlinkSync } from 'node:fs';
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { openPty, type Pty } from '../../../native/pty.js';

const log = childLog('twin-modem');

export interface PortHooks {
  /** Whether typed characters are echoed (ATE). */
  echo(): boolean;
  /** True while the module hears nothing (rebooting). */
  deaf(): boolean;
  /** One command line (without its <CR>). Returns false to drop what is still buffered. */
  onLine(line: string): boolean;
}

export class ModemPort {
  private pty: Pty | null = null;
  private rx = '';

  constructor(
    private readonly ueId: string,
    private readonly linkPath: string | undefined,
    private readonly hooks: PortHooks,
  ) {}

  get slavePath(): string | null {
    return this.pty?.slavePath ?? null;
  }

  /** A new pty, the link (re-)pointed at it; returns the slave path. */
  open(): string {
    const pty = openPty();
    this.pty = pty;
    this.rx = '';
    pty.stream.on('data', (b: Buffer) => this.onInput(pty, b));
    pty.stream.on('error', (err) => log.debug({ ue: this.ueId, err: messageOf(err) }, 'pty error'));
    if (this.linkPath) {
      const tmp = `${this.linkPath}.${process.pid}.tmp`;
      rmSync(tmp, { force: true });
      symlinkSync(pty.slavePath, tmp);
      renameSync(tmp, this.linkPath);
    }
    return pty.slavePath;
  }

  /** The port vanishes: link removed, pty closed. */
  close(): void {
    const pty = this.pty;
    this.pty = null;
    if (this.linkPath) rmSync(this.linkPath, { force: true });
    pty?.close();
  }

  /** Every reply line is framed <CR><LF>...<CR><LF>. */
  line(s: string): void {
    this.write(`\r\n${s}\r\n`);
  }

  /** Forget a half-typed line (after a reboot). */
  clearInput(): void {
    this.rx = '';
  }

  private write(s: string): void {
    const pty = this.pty;
    if (!pty || pty.stream.destroyed) return;
    pty.stream.write(s, 'latin1');
  }

  private onInput(pty: Pty, b: Buffer): void {
    if (pty !== this.pty || this.hooks.deaf()) return;
    const s = b.toString('latin1');
    if (this.hooks.echo()) this.write(s.replace(/\n/g, ''));
    this.rx += s;
    for (;;) {
      const i = this.rx.indexOf('\r');
      if (i < 0) break;
      const cmd = this.rx.slice(0, i).replace(/\n/g, '').trim();
      this.rx = this.rx.slice(i + 1);
      if (cmd.length > 0 && !this.hooks.onLine(cmd)) {
        this.rx = '';
        break;
      }
    }
    if (this.rx.length > 1024) this.rx = '';
  }
}
