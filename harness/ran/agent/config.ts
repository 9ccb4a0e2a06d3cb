// The agent's configuration file (YAML or JSON): the agent reads its own settings (node id,
// operator, listen address, TLS files, lease) and hands the whole file to the backend, which
// validates the rest. Errors name the file and the path inside it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, messageOf } from '../../errors.js';
import type { AgentSettings } from './backend.js';

/** Default lease: the controller renews every second; 5 s of silence puts the radio in its safe state. */
export const DEFAULT_LEASE_MS = 5000;

const settingsSchema = z.object({
  nodeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an id of 1..64 characters from A-Z a-z 0-9 . _ -'),
  operator: z.string().min(1).max(64),
  listen: z.string().regex(/^[A-Za-z0-9_.\-[\]:]+:\d{1,5}$/, 'host:port'),
  tls: z.object({ caFile: z.string().min(1).max(4096), certFile: z.string().min(1).max(4096), keyFile: z.string().min(1).max(4096) }),
  leaseMs: z.number().int().min(200).max(600_000).default(DEFAULT_LEASE_MS),
});

export function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(top level)';
}

/** The file's content (YAML is a superset of JSON) and the agent's settings; `leaseMs` is removed from what the backend sees. */
export async function loadAgentFile(path: string): Promise<{ raw: Record<string, unknown>; settings: AgentSettings }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the agent config: ${messageOf(err)}`, 'CONFIG_INVALID', { cause: err });
  }
  if (text.length > 1 << 20) throw new ConfigError(`${path}: larger than 1 MiB`);
  let raw: unknown;
  try {
    // JSON (what the controller writes) is YAML too; the YAML parser is loaded only for the rest.
    raw = jsonOrNull(text) ?? (await import('yaml')).parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML or JSON: ${messageOf(err)}`, 'CONFIG_INVALID', { cause: err });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path}: expected a mapping at the top level`);
  const r = settingsSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.slice(0, 10).map((i) => `${path}: ${pathText(i.path)}: ${i.message}`).join('\n'));
  const { leaseMs: _lease, ...rest } = raw as Record<string, unknown>;
  return { raw: rest, settings: r.data };
}

/** The value of a JSON text, or null when it is not JSON (then it is read as YAML). */
function jsonOrNull(text: string): unknown {
  if (!/^\s*\{/.test(text)) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
