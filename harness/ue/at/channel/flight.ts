// The command in flight: written to the modem, given its reply lines by pairing.ts, and
// finished by its final result code or its time limit. Rule 6: only the in-flight command
// can time out; each command's limit is the vendor maximum response time plus a slack for
// transport and host latency. A timeout leaves the channel out of step (rule 4, barrier.ts).
import type { CommandSpec } from '../commands.js';
import { AtTimeoutError, UeDisconnectedError } from '../errors.js';
import type { AtReply } from './options.js';
import type { ChannelState, InFlight } from './state.js';

/** Writes `spec` and resolves with its reply; `requireEcho` false only for ATE1 itself. */
export function execute(st: ChannelState, spec: CommandSpec, timeoutMs: number, requireEcho = true): Promise<AtReply> {
  if (st.closedBy) return Promise.reject(st.closedBy);
  return new Promise<AtReply>((resolve, reject) => {
    let done = false;
    const flight: InFlight = {
      spec,
      requireEcho,
      echoSeen: false,
      lines: [],
      finish: (err, reply) => {
        if (done) return;
        done = true;
        st.timers.clearTimeout(timer);
        if (st.current === flight) st.current = null;
        if (err) {
          if (err instanceof AtTimeoutError) {
            st.consecutiveTimeouts++;
            st.synced = false;
            st.outstanding.add(spec.prefix ?? spec.name);
          } else st.consecutiveTimeouts = 0;
          reject(err);
        } else {
          st.consecutiveTimeouts = 0;
          resolve(reply!);
        }
      },
    };
    const timer = st.timers.setTimeout(() => flight.finish(new AtTimeoutError(st.name, spec.text, timeoutMs)), timeoutMs);
    st.current = flight;
    try {
      st.opts.write(`${spec.text}\r`);
    } catch (err) {
      flight.finish(new UeDisconnectedError(st.name, `write failed: ${(err as Error).message}`));
    }
  });
}
