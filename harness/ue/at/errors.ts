// Typed errors of the AT transport. Every one is a ComponentError naming the UE (exit code 3)
// and carries the command and, where the modem refused, the modem's own words.
import { ComponentError } from '../../errors.js';

/** 3GPP TS 27.007 +CME ERROR codes and their verbose texts (AT+CMEE=2), as Quectel prints them. */
export const CME_TEXT: Readonly<Record<number, string>> = {
  0: 'phone failure',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'incorrect password',
  20: 'memory full',
  21: 'invalid index',
  22: 'not found',
  30: 'no network service',
  31: 'network timeout',
  32: 'network not allowed - emergency calls only',
  107: 'other general problems',
};

/** The modem answered the command with a failure final result code (`ERROR`, `NO CARRIER`). */
export class AtCommandError extends ComponentError {
  constructor(
    component: string,
    readonly command: string,
    /** The final result line exactly as the modem printed it. */
    readonly final: string,
    /** Information lines the modem printed before it. */
    readonly lines: readonly string[] = [],
    code = 'AT_ERROR',
  ) {
    super(component, `${command} -> ${final}`, code);
  }
}

/** `+CME ERROR: <err>` (or `+CMS ERROR`): the modem's own words plus the numeric code when known. */
export class CmeError extends AtCommandError {
  /** The text after `+CME ERROR: ` as printed (`SIM not inserted` with CMEE=2, `10` with CMEE=1). */
  readonly words: string;
  /** The 27.007 number: printed (CMEE=1) or looked up from the verbose text (CMEE=2); null if unknown. */
  readonly cmeCode: number | null;
  readonly kind: 'CME' | 'CMS';
  constructor(component: string, command: string, final: string, lines: readonly string[] = []) {
    const m = /^\+(CME|CMS) ERROR:\s*(.*)$/i.exec(final);
    super(component, command, final, lines, 'AT_CME_ERROR');
    this.kind = (m?.[1]?.toUpperCase() as 'CME' | 'CMS') ?? 'CME';
    this.words = (m?.[2] ?? '').trim();
    this.cmeCode = cmeCodeOf(this.words);
  }
}

export function cmeCodeOf(words: string): number | null {
  if (/^\d+$/.test(words)) return Number(words);
  const lower = words.toLowerCase();
  for (const [code, text] of Object.entries(CME_TEXT)) if (text.toLowerCase() === lower) return Number(code);
  return null;
}

/** No final result code within the command's time limit. */
export class AtTimeoutError extends ComponentError {
  constructor(
    component: string,
    readonly command: string,
    readonly timeoutMs: number,
    /** False when the command was never written (the modem did not answer the resync before it). */
    readonly written = true,
  ) {
    super(component, written ? `${command}: no final result code within ${timeoutMs} ms` : `${command}: not sent, the modem does not answer`, 'AT_TIMEOUT');
  }
}

/** A reply that broke the protocol (e.g. OK without the information line the command always has). */
export class AtProtocolError extends ComponentError {
  constructor(
    component: string,
    readonly command: string,
    detail: string,
    /** False when the command was never written. */
    readonly written = true,
  ) {
    super(component, `${command}: ${detail}`, 'AT_PROTOCOL');
  }
}

/** The port closed (modem unplugged) or was closed while the command waited. */
export class UeDisconnectedError extends ComponentError {
  constructor(component: string, detail: string) {
    super(component, detail, 'UE_DISCONNECTED');
  }
}

/** The UE was given up (stopped answering, reset did not help). */
export class UeFailedError extends ComponentError {
  constructor(component: string, detail: string) {
    super(component, detail, 'UE_FAILED');
  }
}

/** A reply line that does not have the documented format. */
export class AtParseError extends ComponentError {
  constructor(
    readonly line: string,
    /** What was wrong with it. */
    readonly detail: string,
    component = 'modem',
  ) {
    super(component, `cannot parse ${JSON.stringify(line.slice(0, 200))}: ${detail}`, 'AT_PARSE');
  }
}
