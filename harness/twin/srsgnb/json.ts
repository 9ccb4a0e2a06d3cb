// How the srsRAN Project gNB serialises what it sends (facts/RAN.md §1.1, §5): objects from
// sorted maps (keys in alphabetical order), metrics pretty-printed and followed by "\n",
// timestamps as UTC `YYYY-MM-DDTHH:MM:SS.mmm` without a zone, floats that went through a
// C float (26.700000762939453).
export function sortedJson(v: unknown, indent: number, depth = 0): string {
  const pad = (d: number) => (indent ? '\n' + ' '.repeat(indent * d) : '');
  const sep = indent ? ': ' : ':';
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => pad(depth + 1) + sortedJson(x, indent, depth + 1)).join(',') + pad(depth) + ']';
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    if (keys.length === 0) return '{}';
    return '{' + keys.map((k) => pad(depth + 1) + JSON.stringify(k) + sep + sortedJson((v as Record<string, unknown>)[k], indent, depth + 1)).join(',') + pad(depth) + '}';
  }
  return JSON.stringify(v);
}

export function srsTimestamp(d = new Date()): string {
  return d.toISOString().replace('Z', '');
}

/** A value as a C `float` prints when widened to double. */
export const cfloat = (x: number): number => Math.fround(x);
