// The ledger: an embedded dev chain needs the compiled contract and Hardhat; an external chain
// must answer, hold the contract, and let every operator transact (the session's own check).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, loadArtifact, type OperatorKey } from '../ledger/index.js';
import { packageRoot } from '../paths.js';
import type { Rig } from '../rig/index.js';
import type { Check } from './check.js';

export function ledgerCheck(rig: Rig, timeoutMs: number): Check {
  if (rig.ledger.embedded)
    return {
      component: 'ledger',
      check: 'dev chain and contract built',
      run: async () => {
        loadArtifact();
        const hardhat = join(packageRoot, 'node_modules', '.bin', 'hardhat');
        if (!existsSync(hardhat)) throw new Error('hardhat not installed (npm ci)');
        return 'SpectrumLedger compiled; Hardhat dev chain started at bring-up';
      },
    };
  return {
    component: 'ledger',
    check: 'reachable, contract deployed, operators can transact',
    run: async () => {
      const keys: OperatorKey[] = rig.operators.map((o) => ({ name: o.name, account: o.account }));
      const ledger = Ledger.attach({ rpcUrl: rig.ledger.rpc!, contract: rig.ledger.contract! as `0x${string}`, operators: keys });
      try {
        await ledger.checkReachable(timeoutMs);
        return ledger.describe();
      } finally {
        await ledger.close();
      }
    },
  };
}
