// UHD's error codes (uhd/error.h) and the typed error every failed UHD call becomes.
import { ComponentError } from '../../harness/errors.js';

/** uhd_error values (uhd/error.h) by number. */
export const UHD_ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'NONE',
  1: 'INVALID_DEVICE',
  10: 'INDEX',
  11: 'KEY',
  20: 'NOT_IMPLEMENTED',
  21: 'USB',
  30: 'IO',
  31: 'OS',
  40: 'ASSERTION',
  41: 'LOOKUP',
  42: 'TYPE',
  43: 'VALUE',
  44: 'RUNTIME',
  45: 'ENVIRONMENT',
  46: 'SYSTEM',
  47: 'EXCEPT',
  60: 'BOOSTEXCEPT',
  70: 'STDEXCEPT',
  100: 'UNKNOWN',
};

/**
 * A UHD call failed. `code` is `UHD_ERROR_<NAME>` (UHD's enum name, stable), `uhdError` the
 * bare name (`KEY`), `uhdErrno` the number, `uhdMessage` UHD's own text, `op` the C function.
 */
export class UhdError extends ComponentError {
  readonly uhdError: string;
  readonly uhdErrno: number;
  readonly uhdMessage: string;
  readonly op: string;
  constructor(component: string, op: string, uhdErrno: number, uhdMessage: string) {
    const name = UHD_ERROR_NAMES[uhdErrno] ?? `UNKNOWN_${uhdErrno}`;
    super(component, `${op} failed: UHD_ERROR_${name}: ${uhdMessage.trim()}`, `UHD_ERROR_${name}`);
    this.uhdError = name;
    this.uhdErrno = uhdErrno;
    this.uhdMessage = uhdMessage;
    this.op = op;
  }
}

/** The Usrp was closed before (or while) the call was queued. */
export function closedError(component: string, op: string): ComponentError {
  return new ComponentError(component, `${op}: USRP is closed`, 'UHD_CLOSED');
}
