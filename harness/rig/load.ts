// Loading a rig file: YAML -> schema -> cross-references. Every error names the file, the
// path inside it (basestations[1].cells[0].bandwidthMHz), its line, and what was expected.
import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { rigSchema, type Rig } from './schema.js';
import { boundsProblems } from './bounds.js';
import { resolveKeyFile } from '../ledger/index.js';
import { crossCheck, type RigProblem } from './validate.js';

/** A rig file is a page of YAML: anything larger, or with more aliases, is refused before it is expanded. */
export const MAX_RIG_BYTES = 1 << 20;
export const MAX_YAML_ALIASES = 100;

export class RigError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: RigProblem[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${formatProblem(problems[0]!)}`
        : `${file}: ${problems.length} problems\n` + problems.map((p) => '  ' + formatProblem(p)).join('\n'),
      'RIG_INVALID',
    );
  }
}

function formatProblem(p: RigProblem): string {
  const where = p.path.length ? formatPath(p.path) : '(top level)';
  return `${p.line ? `line ${p.line}: ` : ''}${where}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += (out ? '.' : '') + String(k);
  }
  return out;
}

function lineOf(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // The deepest node that exists along the path (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function zodProblems(issues: z.core.$ZodIssue[]): RigProblem[] {
  const out: RigProblem[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: [...i.path, k], message: `unknown key "${k}" (check its spelling)` });
      continue;
    }
    let msg = i.message.replace(/^Invalid input: /, '');
    if (i.code === 'invalid_type' && /received undefined/.test(i.message)) msg = `missing: ${msg.replace(/, received undefined/, '')}`;
    out.push({ path: i.path, message: msg });
  }
  return out;
}

/**
 * Parse and validate rig text. `file` is only used in messages; `rigDir` is where relative key
 * paths start (the rig file's folder), and they come back absolute.
 */
export function parseRig(text: string, file: string, rigDir: string = process.cwd(), opts: LoadOptions = {}): Rig {
  if (text.length > MAX_RIG_BYTES) throw new RigError(file, [{ path: [], message: `larger than ${MAX_RIG_BYTES} bytes; a rig file is a page of YAML` }]);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => ({
      path: [],
      line: e.linePos?.[0]?.line,
      message: `not valid YAML: ${e.message.split('\n')[0]}`,
    }));
    throw new RigError(file, problems);
  }
  let raw: unknown;
  try {
    // The yaml package's guard against alias bombs (billion laughs): at most this many aliases.
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new RigError(file, [{ path: [], message: `not usable YAML: ${(err as Error).message} (at most ${MAX_YAML_ALIASES} aliases)` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RigError(file, [{ path: [], message: 'expected a mapping (name, operators, spectrum, basestations, ...)' }]);
  }
  const parsed = rigSchema.safeParse(raw);
  let problems: RigProblem[];
  if (!parsed.success) problems = zodProblems(parsed.error.issues);
  else problems = [...crossCheck(parsed.data), ...boundsProblems(parsed.data, rigDir, opts.checkKeyFiles === true)];
  if (problems.length) {
    for (const p of problems) p.line ??= lineOf(doc, lc, p.path);
    throw new RigError(file, problems);
  }
  const rig = parsed.data!;
  // Relative paths in a rig file mean "beside the rig file", wherever ranlab is run from.
  for (const o of rig.operators) if ('keyFile' in o.account) o.account = { keyFile: resolveKeyFile(o.account.keyFile, rigDir) };
  if (rig.tls) rig.tls = { caFile: resolve(rigDir, rig.tls.caFile), certFile: resolve(rigDir, rig.tls.certFile), keyFile: resolve(rigDir, rig.tls.keyFile) };
  return rig;
}

export interface LoadOptions {
  /** Also check that key files exist and are safe to read (validate and trial do; others need not). */
  checkKeyFiles?: boolean;
}

/** Read a rig file; a missing file is a ConfigError too. */
export function loadRig(path: string, opts: LoadOptions = {}): Rig {
  const shown = isAbsolute(path) ? relative(process.cwd(), path) || path : path;
  return parseRig(readRigText(path, shown), shown, dirname(resolve(path)), opts);
}

/** The file's text, refusing what is not a regular file (a FIFO would block) or too large. */
function readRigText(path: string, shown: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block; it is then refused below.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${shown}: cannot read rig file (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)})`, 'RIG_UNREADABLE');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`${shown}: not a regular file${st.isDirectory() ? ' (a folder)' : st.isFIFO() ? ' (a FIFO)' : ''}`, 'RIG_UNREADABLE');
    if (st.size > MAX_RIG_BYTES) throw new ConfigError(`${shown}: ${st.size} bytes; a rig file may have at most ${MAX_RIG_BYTES}`, 'RIG_UNREADABLE');
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
