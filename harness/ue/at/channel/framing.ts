// Framing: bytes from the modem into lines (CR or LF ends one; blank lines are dropped).
// Rule 7, bounded input: a line longer than MAX_LINE without a terminator is dropped as noise,
// so a hostile or broken peer costs memory only within bounds.
import type { ChannelState } from './state.js';

export const MAX_LINE = 4096;

export class LineFramer {
  private rx = '';

  constructor(
    private readonly st: ChannelState,
    private readonly onLine: (line: string) => void,
  ) {}

  feed(data: Buffer | string): void {
    const st = this.st;
    if (st.closedBy) return;
    // When the line last spoke: the drain before a barrier waits for it to go quiet.
    st.lastRxAt = st.timers.now();
    this.rx += typeof data === 'string' ? data : data.toString('latin1');
    for (;;) {
      const m = /[\r\n]/.exec(this.rx);
      if (!m) break;
      const line = this.rx.slice(0, m.index).trim();
      this.rx = this.rx.slice(m.index + 1);
      if (line.length > 0) this.onLine(line);
      if (st.closedBy) return;
    }
    if (this.rx.length > MAX_LINE) {
      st.noise(this.rx.slice(0, 80), 'line too long');
      this.rx = '';
    }
  }
}
