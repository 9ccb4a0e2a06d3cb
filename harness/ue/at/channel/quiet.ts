// The quiet period before a barrier: wait until the modem has said nothing for quietMs (late
// replies of a timed-out command are then more likely over), but never longer than maxDrainMs,
// so a chattering modem cannot hold the channel.
import type { ChannelState } from './state.js';

export async function drain(st: ChannelState): Promise<void> {
  const start = st.timers.now();
  for (;;) {
    const now = st.timers.now();
    const idle = now - st.lastRxAt;
    if (idle >= st.quietMs || now - start >= st.maxDrainMs || st.closedBy) return;
    await new Promise<void>((r) => st.timers.setTimeout(r, Math.max(1, st.quietMs - idle)));
  }
}
