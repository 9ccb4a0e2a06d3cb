// Which command a reply line belongs to (tested with fast-check in test/ue-fuzz.test.ts):
//
// 1. Only the in-flight command can receive lines. With nothing in flight, every line is a
//    URC (known URC forms) or noise (late replies, garbage), never kept for later.
// 2. A line belongs to the in-flight command only if it has the command's reply prefix
//    (`+CSQ:` for AT+CSQ), or the command answers with bare lines (ATI, AT+CGSN, AT+CIMI,
//    commands typed by hand) and the line is no URC. A registration line (+CEREG: ...) while
//    a read of that prefix is in flight is the reply only if it has the read shape
//    (`<n>,<stat>,...`); otherwise, and at any other time, it is a URC.
// 3. Echo: the channel keeps the modem's echo on (it sends ATE1 itself whenever it does not
//    know the echo to be on: at start, after a reset, after RDY; ATE0 is refused). A command
//    accepts nothing before its own echo, which is stripped. The modem works through its
//    input in order and echoes a line when it takes it up, so anything an earlier command
//    still had to say comes before that echo and is dropped.
// 5. A command whose successful reply always has an information line (reads, AT+CSQ,
//    AT+QENG, ...) that gets OK without one is refused (AtProtocolError) and the channel
//    resynchronises as in rule 4 (barrier.ts): that OK may not have been its own.
// 7. A reply keeps at most MAX_REPLY_LINES lines (and framing.ts bounds a line).
import { finalKind, isRegLine, isRegReadShape, isUrcLine, type CommandSpec } from '../commands.js';
import { AtCommandError, AtProtocolError, CmeError } from '../errors.js';
import type { ChannelState } from './state.js';

export const MAX_REPLY_LINES = 512;

/** Gives `line` to the command in flight, or reports it as a URC or noise. */
export function routeLine(st: ChannelState, line: string): void {
  const cur = st.current;
  if (!cur) {
    if (isUrcLine(line) && !isRegReadShape(line)) st.urc(line);
    else st.noise(line, 'nothing in flight');
    return;
  }
  const { spec } = cur;
  if (line === spec.text && !cur.echoSeen && cur.lines.length === 0) {
    cur.echoSeen = true;
    return;
  }
  const fin = finalKind(line, spec.noCarrierFinal);
  const gated = cur.requireEcho && !cur.echoSeen;
  if (fin) {
    if (gated) return st.noise(line, 'final result code before the echo');
    if (fin === 'OK') {
      if (spec.infoRequired && cur.lines.length === 0) {
        // Not its own OK: its own reply is still to come, like a timed-out command's.
        st.synced = false;
        if (spec.prefix) st.outstanding.add(spec.prefix);
        return cur.finish(new AtProtocolError(st.name, spec.text, 'OK without its information line (a late reply of an earlier command?)'));
      }
      return cur.finish(null, { command: spec.text, lines: cur.lines, final: line });
    }
    if (fin === 'CME') return cur.finish(new CmeError(st.name, spec.text, line, cur.lines));
    return cur.finish(new AtCommandError(st.name, spec.text, line, cur.lines));
  }
  if (owns(spec, line)) {
    if (gated) return st.noise(line, 'reply line before the echo');
    if (cur.lines.length >= MAX_REPLY_LINES) return st.noise(line, 'reply too long');
    cur.lines.push(line);
    return;
  }
  if (isUrcLine(line) && !isRegReadShape(line)) return st.urc(line);
  st.noise(line, `not a reply to ${spec.text}`);
}

/** Rule 2: whether `line` can be part of the reply to `spec` (echo and final codes aside). */
function owns(spec: CommandSpec, line: string): boolean {
  if (spec.prefix && line.startsWith(spec.prefix)) {
    // Registration: only the read shape is the reply; the URC shape stays a URC.
    return isRegLine(line) && spec.form === 'read' ? isRegReadShape(line) : true;
  }
  if (!spec.unprefixed) return false;
  if (isUrcLine(line)) return false;
  // A stray echo of some other command is not a reply line.
  if (/^AT/i.test(line) && !spec.text.toUpperCase().startsWith('ATI')) return false;
  return true;
}
