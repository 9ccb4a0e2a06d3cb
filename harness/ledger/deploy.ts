// Deployment of a lab's contracts: the LabToken (the whole fixed supply minted to the deployer),
// the SpectrumLedger bound to it, and the initial balances moved from the deployer to the
// operators (equal, or the rig's initialBalances shares). With the UE market, also the UeMarket
// bound to the same token, and each UE's funding moved first (the operators share the rest):
// every account's tokens come out of the one fixed supply. With compute payments (offload
// trials), the ComputeMarket bound to the same token. Approvals are the account holders'
// own transactions (the client sends them at bring-up).
import { createPublicClient, createWalletClient, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ComponentError } from '../errors.js';
import { labTokenAbi, spectrumLedgerAbi, ueMarketAbi } from './abi.js';
import { computeMarketAbi } from './compute-market.js';
import { loadArtifact } from './artifact.js';
import { chainOf, transportOf, whereOf, type ChainLink } from './link.js';
import { describeRevert, shortOf } from './revert.js';
import { initialBalancesOf, ledgerParamsOf, type SpectrumConfig } from './units.js';

export interface Deployed {
  contract: Address;
  token: Address;
  /** The UeMarket, when UEs were given. */
  market?: Address;
  /** The ComputeMarket, when asked for. */
  computeMarket?: Address;
  /** Gas used by each deployment transaction. */
  gas: { token: bigint; ledger: bigint };
}

/** Blocks after a UE's request within which every operator should have offered (then anyone may award). */
export const UE_OFFER_WINDOW_BLOCKS = 64n;

export async function deployContracts(
  link: ChainLink,
  chainId: number,
  deployerKey: Hex,
  operators: Address[],
  spectrum: SpectrumConfig,
  pollingIntervalMs: number,
  ues: { address: Address; micro: bigint }[] = [],
  computeMarket = false,
): Promise<Deployed> {
  const p = ledgerParamsOf(spectrum);
  const ueMicro = ues.reduce((a, u) => a + u.micro, 0n);
  if (ueMicro >= p.supplyMicro) throw new ComponentError('ledger', `the UEs' funding (${ueMicro} micro-tokens) leaves nothing of the supply (${p.supplyMicro}) for the operators`, 'LEDGER_DEPLOY_FAILED');
  const shares = initialBalancesOf(p.supplyMicro - ueMicro, operators.length, spectrum.initialBalances);
  const chain = chainOf(chainId, link);
  const account = privateKeyToAccount(deployerKey);
  const transport = transportOf(link, 15_000, 0);
  const wallet = createWalletClient({ account, chain, transport });
  const pub = createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs });
  const mined = async (hash: Hex, what: string) => {
    const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: pollingIntervalMs, timeout: 60_000 });
    if (r.status !== 'success') throw new Error(`${what} transaction ${hash} reverted`);
    return r;
  };
  try {
    const tokenReceipt = await mined(
      await wallet.deployContract({ abi: labTokenAbi, bytecode: loadArtifact('LabToken').bytecode, args: [p.supplyMicro, account.address] }),
      'LabToken deployment',
    );
    const token = tokenReceipt.contractAddress!;
    const params = {
      bandUnits: p.bandUnits,
      price: p.priceMicroPerUnitSecond,
      epochMs: p.epochMs,
      requestWindowBlocks: p.requestWindowBlocks,
      settleWindowBlocks: p.settleWindowBlocks,
      holdingBps: p.holdingBps,
      fairWindowEpochs: p.fairWindowEpochs,
      fairMaxShareBps: p.fairMaxShareBps,
      lockoutEpochs: p.lockoutEpochs,
    };
    const ledgerReceipt = await mined(
      await wallet.deployContract({ abi: spectrumLedgerAbi, bytecode: loadArtifact('SpectrumLedger').bytecode, args: [token, operators, params] }),
      'SpectrumLedger deployment',
    );
    let market: Address | undefined;
    if (ues.length) {
      const r = await mined(
        await wallet.deployContract({ abi: ueMarketAbi, bytecode: loadArtifact('UeMarket').bytecode, args: [token, operators, UE_OFFER_WINDOW_BLOCKS] }),
        'UeMarket deployment',
      );
      market = r.contractAddress!;
      for (const u of ues) if (u.micro > 0n) await mined(await wallet.writeContract({ address: token, abi: labTokenAbi, functionName: 'transfer', args: [u.address, u.micro] }), 'UE funding');
    }
    let compute: Address | undefined;
    if (computeMarket)
      compute = (await mined(await wallet.deployContract({ abi: computeMarketAbi, bytecode: loadArtifact('ComputeMarket').bytecode, args: [token] }), 'ComputeMarket deployment')).contractAddress!;
    for (const [i, op] of operators.entries())
      if (shares[i]! > 0n) await mined(await wallet.writeContract({ address: token, abi: labTokenAbi, functionName: 'transfer', args: [op, shares[i]!] }), 'initial balance');
    return { contract: ledgerReceipt.contractAddress!, token, ...(market ? { market } : {}), ...(compute ? { computeMarket: compute } : {}), gas: { token: tokenReceipt.gasUsed, ledger: ledgerReceipt.gasUsed } };
  } catch (err) {
    const why = describeRevert(err, spectrumLedgerAbi, (a) => a) || shortOf(err);
    throw new ComponentError('ledger', `deploying the ledger at ${whereOf(link)} failed: ${why.replaceAll(deployerKey.slice(2), '[redacted]')}`, 'LEDGER_DEPLOY_FAILED', { cause: err });
  }
}
