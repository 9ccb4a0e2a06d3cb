// Resynchronising the channel with the modem.
//
// 4. A command that times out leaves the channel unsynchronised: its reply may still come,
//    and a later command with the same text would take that late echo for its own. So before
//    the next command is written the channel drains (waits for the line to go quiet), makes
//    sure the echo is on, and sends a barrier: a side-effect-free read whose text carries a
//    nonce in the letter case of its command name (AT+cMeE?; names are case-insensitive, the
//    echo is verbatim, so that echo is unique and never one of the driver's upper-case
//    commands). The barrier accepts lines only after its own echo and completes only on its
//    own information line and a final result code. Everything before it, late replies
//    included, is dropped; only then is the next command written. A late OK thus never
//    completes a later command. (Defence in depth, for a modem that echoed a line the moment
//    it arrived rather than when it took it up: the barrier read is AT+CMEE?, AT+CSQ or
//    AT+CGEREP?, the first whose reply prefix no command that timed out since has; none is
//    a URC prefix.) A barrier the modem refuses (ERROR; some firmware refuses AT+CMEE?) is
//    followed at once by the next base, and tried last from then on: opening never depends
//    on one command.
import { commandSpec, DEFAULT_MAX_MS } from '../commands.js';
import { AtCommandError, AtProtocolError, AtTimeoutError } from '../errors.js';
import { barrierOrder, barrierText } from './barrier-reads.js';
import { execute } from './flight.js';
import { drain } from './quiet.js';
import type { ChannelState } from './state.js';

/** Drains, turns the echo on if need be, and runs barriers until one succeeds; throws the last failure. */
export async function barrier(st: ChannelState): Promise<void> {
  await drain(st);
  if (st.closedBy) throw st.closedBy;
  if (!st.echoOn) {
    // Its OK need not be its own (nothing is synchronised yet): the barrier below, which
    // waits for its own echo, is what proves the echo on and the line in step.
    await execute(st, commandSpec('ATE1'), DEFAULT_MAX_MS + st.slackMs, false);
    st.echoOn = true;
  }
  // Opening never hangs on one command: a base the modem refuses (some firmware answers ERROR
  // to AT+CMEE?) is remembered and the next one is tried at once.
  let last: Error | null = null;
  for (const base of barrierOrder(st)) {
    const spec = commandSpec(barrierText(base, st.barrierCount++));
    try {
      await execute(st, spec, DEFAULT_MAX_MS + st.slackMs);
    } catch (err) {
      // A modem that does not echo never answers a gated barrier: try ATE1 again next time.
      if (err instanceof AtTimeoutError) st.echoOn = false;
      // An ERROR could be a late final code: the next barrier uses another prefix.
      st.outstanding.add(spec.prefix!);
      if (!(err instanceof AtCommandError || err instanceof AtProtocolError)) throw err;
      if (err instanceof AtCommandError) st.refusedBarriers.add(base);
      last = err;
      continue;
    }
    st.synced = true;
    st.outstanding.clear();
    return;
  }
  throw last ?? new AtProtocolError(st.name, 'AT', 'no barrier command to send');
}
