// One ledger transaction on the embedded in-process chain (on its own thread, as a trial runs
// it: both sides reach it the same way), against the same call made raw.
// A: Ledger.request() (an operator's demand for the epoch: the client's whole path, signing,
// sending, receipt). B: the same call (request(epoch, units) on a SpectrumLedger of the same code
// and parameters, deployed on the same chain for accounts this benchmark holds), with the same gas
// limit and gas price, signed before the clock starts, sent raw (eth_sendRawTransaction) and its
// receipt read (eth_getTransactionReceipt). Each sample is REPS transactions back to back, in ms
// per transaction; A and B interleaved round by round.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { encodeFunctionData } from 'viem';
import { Ledger, gasLimit, spectrumLedgerAbi } from '../dist/harness/ledger/index.js';
import { startChainThread } from '../dist/harness/ledger/chain-thread-client.js';
import { deployContracts } from '../dist/harness/ledger/deploy.js';
import { figure, interleave } from './lib/interleave.mjs';

const REPS = 100;
// A window long enough for every round's requests (only one operator requests, so it never fills).
const spectrum = { bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 3_600_000, requestWindowBlocks: 1_000_000 };

export default async function ledgerBench({ rounds = 15, log }) {
  log(`embedded chain on its thread (as under ranlab trial), 2 operators, request() x ${REPS} per sample`);
  startChainThread();
  const { ledger, chain } = await Ledger.embeddedWithChain({ operators: ['op-a', 'op-b'], spectrum });
  try {
    // The baseline's own SpectrumLedger on the same chain, its operators' keys held here.
    const deployer = generatePrivateKey();
    const raw = privateKeyToAccount(generatePrivateKey());
    for (const a of [privateKeyToAccount(deployer).address, raw.address])
      await chain.admin.request({ method: 'hardhat_setBalance', params: [a, '0x' + (10n ** 24n).toString(16)] });
    const other = privateKeyToAccount(generatePrivateKey()).address;
    const deployed = await deployContracts({ kind: 'in-process', chain }, chain.chainId, deployer, [raw.address, other], spectrum, 5);
    const rawEpoch = BigInt(await chain.provider.request({ method: 'eth_call', params: [{ to: deployed.contract, data: encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'currentEpoch' }) }, 'latest'] }));
    let nonce = Number(await chain.provider.request({ method: 'eth_getTransactionCount', params: [raw.address, 'pending'] }));
    // The ledger's own gas price (the chain's with its 50 % margin) and gas limit for request.
    const gasPrice = (BigInt(await chain.provider.request({ method: 'eth_gasPrice', params: [] })) * 3n) / 2n;
    const gas = gasLimit('request', 2);
    const epoch = await ledger.currentEpoch();
    let units = 1;
    const a = async () => {
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) await ledger.request(epoch, 'op-a', (units++ % 200) + 1);
      return (performance.now() - t0) / REPS;
    };
    const b = async () => {
      const signed = [];
      for (let i = 0; i < REPS; i++) {
        const data = encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'request', args: [rawEpoch, BigInt((units++ % 200) + 1)] });
        signed.push(await raw.signTransaction({ chainId: chain.chainId, type: 'legacy', to: deployed.contract, data, gas, gasPrice, nonce: nonce++ }));
      }
      const t0 = performance.now();
      for (const tx of signed) {
        const hash = await chain.provider.request({ method: 'eth_sendRawTransaction', params: [tx] });
        const receipt = await chain.provider.request({ method: 'eth_getTransactionReceipt', params: [hash] });
        if (receipt?.status !== '0x1') throw new Error(`raw send failed: ${JSON.stringify(receipt)}`);
      }
      return (performance.now() - t0) / REPS;
    };
    return [figure('ledger transaction', 'ms', await interleave(rounds, a, b, { warmup: 1 }), { call: 'request', reps: REPS })];
  } finally {
    await ledger.close();
  }
}
