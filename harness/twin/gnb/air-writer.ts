// One writer per agent that publishes its cells' transmissions to the shared air after the
// acknowledgement has gone out: a control only marks its cell dirty (the change is already
// applied in memory, which is what the agent's own radio model reads), and on the next turn of
// the event loop the writer publishes each dirty cell's state as it is then (one write in
// place, see air.ts). A burst of controls to one cell costs one write. A cell going on or off
// also republishes its UEs' readings, so modems find or lose service with it.
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import type { Air, AirTransmission } from '../air.js';

const log = childLog('twin.gnb');

export class AirWriter {
  private readonly dirty = new Set<string>();
  /** A cell went on or off: its UEs' readings change with it (service found or lost). */
  private uesDirty = false;
  private scheduled = false;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly air: Air,
    /** The cell's transmission as it is in memory now. */
    private readonly current: (cellId: string) => AirTransmission,
    /** Publish every UE's reading as the node figures it now. */
    private readonly publishUes: () => void,
    private readonly nodeId: string,
  ) {}

  /**
   * Publish `cellId` soon (coalesced with other marks until the write starts); `ues`: its UEs'
   * readings too, as after a cell goes on or off (a modem then finds or loses service at once,
   * not at the next KPM period).
   */
  mark(cellId: string, ues = false): void {
    this.dirty.add(cellId);
    if (ues) this.uesDirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    // After the acknowledgement has gone out (a check-phase callback, after this turn's I/O).
    setImmediate(this.flush);
  }

  /** Resolves when every mark made before the call is on the air. */
  settled(): Promise<void> {
    return this.scheduled ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve();
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    for (const id of this.dirty) {
      try {
        this.air.publishTransmission(this.current(id));
      } catch (err) {
        log.error({ node: this.nodeId, cell: id, err: messageOf(err) }, 'could not publish to the air');
      }
    }
    this.dirty.clear();
    if (this.uesDirty) {
      this.uesDirty = false;
      try {
        this.publishUes();
      } catch (err) {
        log.error({ node: this.nodeId, err: messageOf(err) }, 'could not publish UE readings to the air');
      }
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  };
}
