// The agent's lease: the controller renews it with every call (it calls Setup at least every
// third of the lease); when it lapses (controller gone, network cut) the agent puts its radio
// in the safe state. It starts with the controller's first call: an agent nobody has
// connected to has nothing on air to protect.
export class Lease {
  private timer: NodeJS.Timeout | null = null;
  private held = false;

  constructor(
    readonly ms: number,
    private readonly onLapse: () => void,
  ) {}

  renew(): void {
    this.held = true;
    // Every call renews: restart the running timer rather than make a new one each time.
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.held = false;
      this.onLapse();
    }, this.ms);
  }

  get active(): boolean {
    return this.held;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held = false;
  }
}
