// The UE market (issue 9 item 7, seeds/004 contract type 1) through real processes: the ranlab
// CLI with its embedded chain, twin gNB agents and twin modems on real pseudo-terminals. Each UE
// must end up with the lowest offer meeting its target (the cheapest operator does not meet
// ue-a1's), registered on the winner's PLMN and served by the winner's base station, and the
// winner's balance must grow by exactly what its UEs paid, as the chain's balances and Paid
// events state it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SpectrumReport } from '../harness/report/index.js';
import { parseRig, type Rig } from '../harness/rig/index.js';
import { processesUnder } from './helpers/procs.js';
import { influxQuery, runCli, useTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

/** The shipped UE-market rig, storing into the test's influxd (its ledger stays the embedded one). */
function rigCopy(name: string): { path: string; rig: Rig } {
  const raw = parse(readFileSync('rigs/twin-uemarket.yaml', 'utf8'));
  raw.name = name;
  raw.influx = { url: env.influx.url, database: 'ranlab' };
  const path = join(env.dir, `${name}.yaml`);
  writeFileSync(path, stringify(raw));
  return { path, rig: parseRig(stringify(raw), path) };
}

/** The reference award: the lowest price among the offers meeting the target, the earlier operator on ties. */
function expectedWinner(rig: Rig, minDlKbps: number): string | null {
  let best: Rig['operators'][number] | null = null;
  for (const o of rig.operators) if (o.ueOffer!.maxDlKbps >= minDlKbps && (!best || o.ueOffer!.priceTokensPerMbit < best.ueOffer!.priceTokensPerMbit)) best = o;
  return best?.name ?? null;
}

async function runTrial(name: string, policy: string, epochs: number): Promise<{ rig: Rig; report: SpectrumReport; results: string }> {
  const { path, rig } = rigCopy(name);
  const results = env.resultsDir();
  const run = await runCli(['trial', path, '--results', results, '--policy', policy, '--epochs', String(epochs), '--epoch-ms', '500', '--json']);
  expect(run.exitCode, run.all).toBe(0);
  const report = JSON.parse(run.stdout) as SpectrumReport;
  expect(processesUnder(results), 'nothing of the trial is left running').toEqual([]);
  return { rig, report, results };
}

describe('UE market in a twin trial', () => {
  it('each UE gets the lowest offer meeting its target, registers on the winner\'s PLMN at its base station, and the winner gains exactly what the UE paid', async () => {
    // The equal policy moves no tokens, so every change of an operator's balance is the UE market's.
    const epochs = 4;
    const { rig, report, results } = await runTrial('uem', 'equal', epochs);
    const market = report.ueMarket!;
    expect(market.ues.map((u) => u.ue)).toEqual(rig.ues.map((u) => u.id));

    const cheapest = [...rig.operators].sort((a, b) => a.ueOffer!.priceTokensPerMbit - b.ueOffer!.priceTokensPerMbit)[0]!.name;
    const a1 = market.ues.find((u) => u.ue === 'ue-a1')!;
    expect(a1.winner, 'the cheapest offer does not meet ue-a1\'s target').not.toBe(cheapest);
    expect(a1.bs, 'ue-a1 is served across operators').not.toBe(rig.ues.find((u) => u.id === 'ue-a1')!.servingBs);

    const pciOf = new Map(rig.basestations.map((b) => [b.id, b.cells[0]!.pci]));
    for (const u of market.ues) {
      const rigUe = rig.ues.find((x) => x.id === u.ue)!;
      const winner = rig.operators.find((o) => o.name === expectedWinner(rig, rigUe.minDlKbps!))!;
      expect(u.winner, u.ue).toBe(winner.name);
      expect(u.priceTokensPerMbit, u.ue).toBe(winner.ueOffer!.priceTokensPerMbit);
      expect(rig.basestations.find((b) => b.id === u.bs)!.operator, u.ue).toBe(winner.name);
      // The modem's own words: manual selection (AT+COPS=1), registered on the winner's PLMN and cell.
      expect(u.modem, u.ue).toMatchObject({ registered: true, plmn: winner.plmn, nrPci: pciOf.get(u.bs), copsMode: 1 });
      // The air the twin gNB wrote for the UE names the serving cell's PLMN: the winner's.
      const air = JSON.parse(readFileSync(join(results, report.trialId, 'air', 'ue', `${u.ue}.json`), 'utf8'));
      expect(air, u.ue).toMatchObject({ operator: winner.name, plmn: winner.plmn });
      expect(u.epochsPaid, u.ue).toBe(epochs);
      expect(BigInt(u.paidMicro), `${u.ue} paid for its downlink`).toBeGreaterThan(0n);
    }

    // Only the winner's base station served each UE (KPM), and the modem reported its cell.
    for (const u of market.ues) {
      const kpm = await influxQuery(env, `SELECT thpDlKbps FROM kpm_ue WHERE trial='${report.trialId}' AND ue='${u.ue}' GROUP BY bs`);
      expect(new Set(kpm.map((p) => p.bs)), u.ue).toEqual(new Set([u.bs]));
      const radio = await influxQuery(env, `SELECT pci FROM ue_radio WHERE trial='${report.trialId}' AND ue='${u.ue}' AND rat='nr'`);
      expect(radio.length, u.ue).toBeGreaterThan(0);
      expect(new Set(radio.map((p) => p.pci)), u.ue).toEqual(new Set([pciOf.get(u.bs)]));
    }

    // Balances read on chain after the awards and at the end; the Paid events' sums; the UEs' totals.
    for (const o of market.operators) {
      const paidByItsUes = market.ues.filter((u) => u.winner === o.operator).reduce((a, u) => a + BigInt(u.paidMicro), 0n);
      expect(BigInt(o.endBalanceMicro) - BigInt(o.startBalanceMicro), o.operator).toBe(paidByItsUes);
      expect(BigInt(o.receivedMicro), o.operator).toBe(paidByItsUes);
    }
    expect(report.supply, 'the equal policy reports no spectrum balances').toBeNull();
  }, 120_000);

  it('under the ledger policy the supply stays conserved with the UEs\' accounts in it', async () => {
    const { report } = await runTrial('uemledger', 'ledger', 3);
    expect(report.supply).toMatchObject({ conserved: true });
    expect(report.ueMarket!.ues.every((u) => u.epochsPaid === 3 && BigInt(u.paidMicro) > 0n)).toBe(true);
    // The spectrum settlements move the operators' balances too; the Paid events still sum to the UEs' payments.
    const paid = report.ueMarket!.ues.reduce((a, u) => a + BigInt(u.paidMicro), 0n);
    expect(report.ueMarket!.operators.reduce((a, o) => a + BigInt(o.receivedMicro), 0n)).toBe(paid);
  }, 120_000);
});
