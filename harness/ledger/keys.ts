// Operator keys for a lab chain: one per operator, from a key file or an environment variable
// (the rig file names the source, never the key). A missing or malformed key is a ConfigError
// that names the operator and the source; no message, log line or error ever holds the key.
import { createECDH } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { toHex, type Address, type Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import { ConfigError } from '../errors.js';
import { childLog } from '../log.js';

const log = childLog('ledger');

/** Where an operator's key comes from (the rig file's `operators[].account`). */
export type AccountSource = { generate: true } | { keyFile: string } | { keyEnv: string };

export interface KeySourceOptions {
  /** Environment to read keyEnv variables from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Relative keyFile paths resolve against this folder (default: the working directory). */
  baseDir?: string;
}

const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Checks and normalises a private key (0x-prefixed lower-case hex). `where` names its source in
 * the error (e.g. `operator op-a: environment variable RANLAB_KEY_OP_A`); the key itself never
 * appears in the message.
 */
export function normalizePrivateKey(raw: string, where: string): Hex {
  const text = raw.trim();
  if (text.length === 0) throw new ConfigError(`${where} is empty: expected a 32-byte hex private key`, 'LEDGER_KEY_INVALID');
  if (!HEX_KEY.test(text))
    throw new ConfigError(`${where} does not hold a 32-byte hex private key (64 hex digits, optionally 0x-prefixed)`, 'LEDGER_KEY_INVALID');
  const key = (text.startsWith('0x') ? text : `0x${text}`).toLowerCase() as Hex;
  try {
    addressOf(key); // rejects 0 and values >= the curve order
  } catch {
    throw new ConfigError(`${where} is not a valid secp256k1 private key (out of range)`, 'LEDGER_KEY_INVALID');
  }
  return key;
}

/**
 * The account address of a private key. The public key is derived natively (OpenSSL, about
 * 0.3 ms): in BigInt arithmetic it costs as much but far more while the code is still cold, as
 * at start-up. Throws for 0 and for values at or above the curve order.
 */
export function addressOf(privateKey: Hex): Address {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(privateKey.slice(2), 'hex'));
  return publicKeyToAddress(toHex(ecdh.getPublicKey()));
}

/**
 * A key file must exist, be a regular file (a FIFO or device is refused without opening it: a
 * read would block the controller), be readable, and not be readable or writable by others.
 * Returns null when usable, else why not (a ConfigError message tail).
 */
export function keyFileProblem(path: string): string | null {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be reached (permission denied on a folder above it)' : `cannot be checked (${code})`;
  }
  if (st.isDirectory()) return 'is a directory';
  if (!st.isFile()) return `is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'}); give a file holding the key`;
  if ((st.mode & 0o006) !== 0) return `is readable or writable by every user (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`;
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return 'is not readable (permission denied)';
  }
  return null;
}

/** A keyFile path as the rig file means it: relative paths are relative to the rig file's folder. */
export function resolveKeyFile(keyFile: string, baseDir?: string): string {
  return isAbsolute(keyFile) ? keyFile : resolve(baseDir ?? process.cwd(), keyFile);
}

/** The operator's private key from its source. `generate` is only meaningful on the embedded chain. */
export function loadOperatorKey(operator: string, source: AccountSource, opts: KeySourceOptions = {}): Hex {
  if ('keyEnv' in source) {
    const env = opts.env ?? process.env;
    const where = `operator ${operator}: environment variable ${source.keyEnv}`;
    const value = env[source.keyEnv];
    if (value === undefined) throw new ConfigError(`${where} is not set (it must hold the operator's private key)`, 'LEDGER_KEY_MISSING');
    return normalizePrivateKey(value, where);
  }
  if ('keyFile' in source) {
    const path = resolveKeyFile(source.keyFile, opts.baseDir);
    const where = `operator ${operator}: key file ${path}`;
    const problem = keyFileProblem(path);
    if (problem) throw new ConfigError(`${where} ${problem}`, 'LEDGER_KEY_MISSING');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
      throw new ConfigError(`${where} ${why}`, 'LEDGER_KEY_MISSING');
    }
    const key = normalizePrivateKey(text, where);
    try {
      if ((statSync(path).mode & 0o077) !== 0) log.warn({ operator, keyFile: path }, 'key file is readable by group or others; chmod 600 it');
    } catch {
      /* the key was read; a stat failure is not worth failing for */
    }
    return key;
  }
  throw new ConfigError(
    `operator ${operator}: generated keys (account: {generate: true}) only exist on the embedded ledger; give keyFile or keyEnv for a lab chain`,
    'LEDGER_KEY_MISSING',
  );
}
