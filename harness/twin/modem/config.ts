// The twin modem's config (one JSON file per modem, written by the controller).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, messageOf } from '../../errors.js';
import { MODEM_MODELS } from './profiles.js';

/** The LTE anchor an EN-DC modem uses (the air models only the NR cell). */
export const lteAnchorSchema = z.strictObject({
  band: z.number().int().min(1).max(255).default(3),
  earfcn: z.number().int().min(0).max(262143).default(1650),
  bandwidthMHz: z.number().positive().default(20),
  /** The anchor's RSRP relative to the NR cell's: a lower, licensed band loses less on the way. */
  rsrpOffsetDb: z.number().default(6),
});

export const twinModemConfigSchema = z.strictObject({
  ueId: z.string().min(1),
  airDir: z.string().min(1),
  /** Which module the twin is (profiles.ts): its replies, quirks and factory settings. */
  model: z
    .string()
    .default('RM520N')
    .pipe(z.enum(MODEM_MODELS, { error: (i) => `unknown twin modem model ${JSON.stringify(i.input)} (one of ${MODEM_MODELS.join(', ')})` })),
  manufacturer: z.string().min(1).default('Quectel'),
  /** Default: the model's (profiles.ts). */
  revision: z.string().min(1).optional(),
  /** Default: derived from ueId (a stable, Luhn-valid IMEI). */
  imei: z.string().regex(/^\d{15}$/, '15 digits').optional(),
  /** Default: mcc + mnc + a number derived from ueId. */
  imsi: z.string().regex(/^\d{6,15}$/, '6 to 15 digits').optional(),
  /** A symlink to create pointing at the pty slave, like a /dev/serial/by-id path. */
  linkPath: z.string().min(1).optional(),
  /** Home network (the SIM's); also the serving PLMN when the air does not say which. */
  mcc: z.string().regex(/^\d{3}$/).default('001'),
  mnc: z.string().regex(/^\d{2,3}$/).default('01'),
  /** Tracking area code, hex. */
  tac: z.string().regex(/^[0-9A-Fa-f]{1,6}$/).default('000001'),
  /** The address the network gives a data session; default derived from ueId. */
  pdpAddress: z.string().optional(),
  /** Time from cell available to registered, ms. */
  registerMs: z.number().int().min(0).default(200),
  /** Time a CFUN=1,1 reboot takes, ms. */
  rebootMs: z.number().int().min(0).default(1500),
  /** How often the air reading is checked for registration changes, ms. */
  pollMs: z.number().int().min(10).default(200),
  /**
   * An air reading older than this is no service (its base station died without turning its
   * cells off); 0 (default) = never stale. The twin gNB publishes readings on every KPM period
   * and control, but not while nobody subscribes, so only set this where one always does.
   */
  staleAfterMs: z.number().int().min(0).default(0),
  lteAnchor: lteAnchorSchema.prefault({}),
});
export type TwinModemConfig = z.input<typeof twinModemConfigSchema>;
export type TwinModemSettings = z.output<typeof twinModemConfigSchema>;

/** Validate a config (ConfigError naming the key and, if given, the file). */
export function parseTwinModemConfig(raw: unknown, where = 'twin modem config'): TwinModemSettings {
  const parsed = twinModemConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ConfigError(`${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

/** Read and validate a twin modem config file (ConfigError naming the file and the key). */
export function loadTwinModemConfig(configPath: string): TwinModemSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${configPath}: cannot read twin modem config: ${messageOf(err)}`);
  }
  return parseTwinModemConfig(raw, configPath);
}
