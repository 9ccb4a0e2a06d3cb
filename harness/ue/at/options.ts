// What a rig file (or `ranlab ue`) tells the AT modem driver.
import type { LteSinrScale } from './servingcell.js';

export interface AtModemOptions {
  /** The UE id as the rig file names it. */
  id: string;
  operator?: string;
  /** The AT port: a stable /dev/serial/by-id path for real modems, the twin's link path on the twin. */
  port: string;
  baudRate?: number;
  /** A required UE failing fails the trial (the runner's decision; the driver reports it). */
  required?: boolean;
  /** Module model, e.g. RM520N (informational; the modem's ATI is authoritative). */
  model?: string;
  /** Default APN for startDataSession. */
  apn?: string;
  /** LTE SINR scale of AT+QENG (see servingcell.ts); default by module model, then by line format. */
  lteSinr?: LteSinrScale;
  /** Added to each vendor maximum response time (default 700 ms). */
  slackMs?: number;
  /** Consecutive unanswered commands before the modem counts as not answering (default 3). */
  unansweredLimit?: number;
  /** How long to wait for an answer after AT+CFUN=1,1 (default 30 s; a real module re-enumerates). */
  resetWaitMs?: number;
  /** How often to look for an unplugged device (default 250 ms). */
  reopenPollMs?: number;
}
