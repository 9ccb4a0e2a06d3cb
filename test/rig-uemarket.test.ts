// The UE market's rig fields (issue 9 item 7): off by default (the default trial is unchanged),
// and with trial.ueMarket on, each missing piece is named where it is missing.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadRig, parseRig, RigError } from '../harness/rig/index.js';

const text = readFileSync('rigs/twin-uemarket.yaml', 'utf8');

function messageOf(t: string): string {
  try {
    parseRig(t, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RigError);
    return (err as Error).message;
  }
  throw new Error('expected the rig to be rejected');
}

it('the default twin rig runs no UE market; the example rig does, with an offer per operator and a target per UE', () => {
  expect(loadRig('rigs/twin.yaml').trial.ueMarket).toBe(false);
  const rig = loadRig('rigs/twin-uemarket.yaml');
  expect(rig.trial.ueMarket).toBe(true);
  expect(rig.operators.map((o) => [o.plmn, o.ueOffer])).toEqual([
    ['00101', { priceTokensPerMbit: 0.01, maxDlKbps: 20000 }],
    ['00102', { priceTokensPerMbit: 0.03, maxDlKbps: 200000 }],
  ]);
  expect(rig.ues.every((u) => u.minDlKbps! > 0 && u.tokens === 200)).toBe(true);
});

it('with ueMarket on: a missing offer, PLMN or target, a shared PLMN, UE funding above the supply and a lab ledger are named', () => {
  expect(messageOf(text.replace(/\n    ueOffer: \{ priceTokensPerMbit: 0\.03, maxDlKbps: 200000 \}/, ''))).toMatch(/operators\[1\]: missing ueOffer/);
  expect(messageOf(text.replace('    plmn: "00101"\n', ''))).toMatch(/operators\[0\]: missing plmn/);
  expect(messageOf(text.replace('plmn: "00102"', 'plmn: "00101"'))).toMatch(/operators\[1\]\.plmn: duplicate PLMN "00101"/);
  expect(messageOf(text.replace(', minDlKbps: 5000,', ','))).toMatch(/ues\[2\]: missing minDlKbps/);
  expect(messageOf(text.replace('minDlKbps: 5000, tokens: 200', 'minDlKbps: 5000, tokens: 20000'))).toMatch(/ues: the UEs' tokens \(20600\) leave nothing/);
  expect(messageOf(text.replace('ledger:\n  embedded: true', 'ledger:\n  rpc: http://127.0.0.1:8545\n  contract: "0x0000000000000000000000000000000000000001"'))).toMatch(/trial\.ueMarket: the UE market needs the embedded ledger/);
});
