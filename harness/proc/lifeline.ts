// For our own agent processes: exit when the parent goes away (its lifeline stdin closes),
// so a SIGKILLed controller never leaves twin agents running.
import { fstatSync } from 'node:fs';

export function exitWithParent(cleanup: () => Promise<void> | void): void {
  // Only a pipe or socket is a lifeline; a TTY or /dev/null (started by hand) is not.
  let lifeline = false;
  try {
    const st = fstatSync(0);
    lifeline = st.isFIFO() || st.isSocket();
  } catch {
    lifeline = false;
  }
  if (!lifeline) return;
  process.stdin.on('end', () => void Promise.resolve(cleanup()).finally(() => process.exit(0)));
  process.stdin.on('error', () => undefined);
  process.stdin.resume();
}
