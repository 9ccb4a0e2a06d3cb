// What preflight's rows say: passed or not, the failures as one error, and a table to print.
import { ComponentError } from '../errors.js';
import type { CheckRow } from './check.js';

export function preflightPassed(rows: CheckRow[]): boolean {
  return rows.every((r) => r.result !== 'fail');
}

/** The failures as one ComponentError (exit code 3) naming each failed component. */
export function preflightError(rows: CheckRow[]): ComponentError {
  const failed = rows.filter((r) => r.result === 'fail');
  return new ComponentError(
    failed.map((r) => r.component).join(', '),
    `preflight failed:\n${failed.map((r) => `  ${r.component}: ${r.check}: ${r.detail}`).join('\n')}`,
    'PREFLIGHT_FAILED',
  );
}

export function formatPreflight(rows: CheckRow[]): string {
  const head = ['component', 'check', 'result', 'detail'];
  const body = rows.map((r) => [r.component, r.check, r.result.toUpperCase(), r.detail]);
  const widths = head.slice(0, 3).map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...body.map(line)].join('\n');
}
