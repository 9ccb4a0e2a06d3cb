// `ranlab verify <trial-id>`: the tamper-evident trial record. Each settlement on chain names the
// SHA-256 of the KPM points its use was computed from (digest.ts); this recomputes every digest
// from the trial's points in InfluxDB and says, per epoch and operator, whether it matches. The
// settlements come from the chain itself for a lab ledger, or, for the embedded chain (gone with
// its trial), from the event log the trial copied into results/<trial-id>/ledger-records.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from 'viem';
import { ConfigError } from '../errors.js';
import { readLedgerRecords, type Ledger, type LedgerRecords } from '../ledger/index.js';
import { queryInflux } from '../measure/index.js';
import { DIGESTED, measurementsDigest, pointFromRow } from './digest.js';

export const RECORDS_FILE = 'ledger-records.json';

/** What a trial keeps of its ledger: where it is, who is who, and the records of its epochs. */
export interface TrialLedgerRecords {
  trialId: string;
  /** The lab chain's JSON-RPC URL, or null for the embedded chain. */
  rpcUrl: string | null;
  contract: Address;
  operators: Record<string, Address>;
  /** The contract's epoch of the trial's epoch 1 (trial epoch k is contract epoch first + k - 1). */
  firstChainEpoch: number;
  lastChainEpoch: number;
  records: LedgerRecords;
}

export async function writeTrialRecords(dir: string, trialId: string, ledger: Ledger, first: number, last: number): Promise<void> {
  const records = await ledger.records(first, last);
  const doc: TrialLedgerRecords = {
    trialId,
    rpcUrl: ledger.link.kind === 'http' ? ledger.link.url : null,
    contract: ledger.contract,
    operators: Object.fromEntries(ledger.addresses()),
    firstChainEpoch: first,
    lastChainEpoch: last,
    records,
  };
  writeFileSync(join(dir, RECORDS_FILE), JSON.stringify(doc, null, 2) + '\n');
}

export interface VerifyLine {
  epoch: number;
  chainEpoch: number;
  operator: string;
  points: number;
  recorded: string;
  computed: string;
  ok: boolean;
}

export interface VerifyResult {
  trialId: string;
  source: string;
  lines: VerifyLine[];
  ok: boolean;
}

export async function verifyTrial(resultsDir: string): Promise<VerifyResult> {
  const reportPath = join(resultsDir, 'report.json');
  const recordsPath = join(resultsDir, RECORDS_FILE);
  if (!existsSync(reportPath)) throw new ConfigError(`verify: no report.json in ${resultsDir}`, 'VERIFY_NO_TRIAL');
  if (!existsSync(recordsPath)) throw new ConfigError(`verify: ${recordsPath} is missing: only a completed trial under the ledger policy has spectrum records`, 'VERIFY_NO_RECORDS');
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { trialId: string; influx: { url: string; database: string } };
  const kept = JSON.parse(readFileSync(recordsPath, 'utf8')) as TrialLedgerRecords;
  const { firstChainEpoch: first, lastChainEpoch: last } = kept;
  // A lab chain is asked again: the copy in the results folder is then only a cache.
  const records = kept.rpcUrl ? await readLedgerRecords({ kind: 'http', url: kept.rpcUrl }, kept.contract, first, last) : kept.records;
  const nameOf = new Map(Object.entries(kept.operators).map(([n, a]) => [a.toLowerCase(), n]));
  const lines: VerifyLine[] = [];
  for (const s of [...records.settlements].sort((a, b) => a.epoch - b.epoch || a.operator.localeCompare(b.operator))) {
    const operator = nameOf.get(s.operator.toLowerCase()) ?? s.operator;
    const epoch = s.epoch - first + 1;
    const points = [];
    for (const m of DIGESTED) {
      const rows = await queryInflux(report.influx.url, report.influx.database, `SELECT * FROM ${m} WHERE "trial"='${report.trialId}' AND "operator"='${operator}' AND "epoch"='${epoch}'`);
      points.push(...rows.map((r) => pointFromRow(m, r as Record<string, unknown>)));
    }
    const computed = measurementsDigest(points);
    lines.push({ epoch, chainEpoch: s.epoch, operator, points: points.length, recorded: s.measurements, computed, ok: computed === s.measurements.toLowerCase() });
  }
  return { trialId: report.trialId, source: kept.rpcUrl ?? `${RECORDS_FILE} (embedded chain)`, lines, ok: lines.length > 0 && lines.every((l) => l.ok) };
}

export function formatVerify(r: VerifyResult): string {
  const out = [`trial ${r.trialId}: ${r.lines.length} settlements from ${r.source}`];
  for (const l of r.lines)
    out.push(`epoch ${l.epoch} (contract epoch ${l.chainEpoch}) ${l.operator}: ${l.ok ? 'ok' : 'MISMATCH'} (${l.points} points${l.ok ? '' : `; recorded ${l.recorded}, computed ${l.computed}`})`);
  out.push(r.ok ? 'every recorded digest matches the points in InfluxDB' : `${r.lines.filter((l) => !l.ok).length} settlement(s) do not match their points`);
  return out.join('\n');
}
