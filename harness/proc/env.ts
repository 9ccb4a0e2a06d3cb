// The environment a child process gets: built for it from a short list, never inherited whole,
// so operators' keys (keyEnv variables) and other secrets of the controller never reach
// influxd, the dev chain, agents or modems (/proc/PID/environ is readable by their owner).
const PASSED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'RANLAB_LOG_LEVEL', 'RANLAB_LIBUHD', 'UHD_LOG_CONSOLE_LEVEL'];

const withheld = new Set<string>();

/** Names that must never be passed to a child, even if a caller puts them in `extra` (keyEnv names). */
export function withholdFromChildren(names: Iterable<string>): void {
  for (const n of names) withheld.add(n);
}

export function childEnv(extra: Record<string, string> = {}, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASSED) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  for (const k of withheld) delete env[k];
  return env;
}
