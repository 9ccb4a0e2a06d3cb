// One command line as V.250 / TS 27.007 shape it: AT<name><form><params>.

export type AtForm = 'test' | 'read' | 'write' | 'exec';

export interface AtLine {
  /** Upper-cased: `+CGACT`, `+QENG`, `I`, `E`, `&F`. */
  name: string;
  form: AtForm;
  /** Write-form parameters, trimmed, quotes kept (`"servingcell"`). */
  args: string[];
  /** What follows a basic command (`0` in ATE0). */
  tail: string;
}

/** Split a parameter list at commas outside double quotes. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The body of a command line after `AT`; null when it is not a command this syntax knows. */
export function parseAtBody(body: string): AtLine | null {
  const m = /^([+][A-Za-z0-9]+|&[A-Za-z]|[A-Za-z])(=\?|\?|=)?(.*)$/s.exec(body);
  if (!m) return null;
  const form: AtForm = m[2] === '=?' ? 'test' : m[2] === '?' ? 'read' : m[2] === '=' ? 'write' : 'exec';
  return {
    name: m[1]!.toUpperCase(),
    form,
    args: form === 'write' ? splitArgs(m[3]!) : [],
    tail: form === 'exec' ? m[3]!.trim() : '',
  };
}

/** A parameter without its surrounding double quotes. */
export const unquote = (s: string | undefined): string => (s ?? '').replace(/^"(.*)"$/s, '$1');

/** A decimal integer parameter, NaN when absent or not one. */
export function intArg(args: readonly string[], i: number): number {
  const a = args[i];
  return a !== undefined && /^\d+$/.test(a) ? Number(a) : NaN;
}
