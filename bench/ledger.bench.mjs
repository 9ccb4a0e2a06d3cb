// One ledger transaction on the embedded in-process chain. A: Ledger.request() (an operator's
// demand for the epoch: the client's whole path, send and receipt). B: a transaction signed
// before the clock starts, sent raw (eth_sendRawTransaction) with its receipt read, on the same
// chain. Each sample is REPS transactions back to back, in ms per transaction.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { Ledger } from '../dist/harness/ledger/index.js';
import { figure, interleave } from './lib/interleave.mjs';

const REPS = 10;
const spectrum = { bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 3_600_000 };

export default async function ledgerBench({ rounds = 9, log }) {
  log('embedded chain, 2 operators');
  const { ledger, chain } = await Ledger.embeddedWithChain({ operators: ['op-a', 'op-b'], spectrum });
  try {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    await chain.admin.request({ method: 'hardhat_setBalance', params: [account.address, '0x' + (10n ** 24n).toString(16)] });
    let nonce = Number(await chain.provider.request({ method: 'eth_getTransactionCount', params: [account.address, 'pending'] }));
    const gasPrice = BigInt(await chain.provider.request({ method: 'eth_gasPrice', params: [] }));
    const epoch = await ledger.currentEpoch();
    let units = 1;
    const a = async () => {
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) await ledger.request(epoch, 'op-a', units++ % 200 + 1);
      return (performance.now() - t0) / REPS;
    };
    const b = async () => {
      const signed = [];
      for (let i = 0; i < REPS; i++) {
        signed.push(await account.signTransaction({ chainId: chain.chainId, type: 'eip1559', to: privateKeyToAccount(generatePrivateKey()).address, value: 1n, gas: 21_000n, maxFeePerGas: gasPrice * 2n + 1n, maxPriorityFeePerGas: 1n, nonce: nonce++ }));
      }
      const t0 = performance.now();
      for (const raw of signed) {
        const hash = await chain.provider.request({ method: 'eth_sendRawTransaction', params: [raw] });
        const receipt = await chain.provider.request({ method: 'eth_getTransactionReceipt', params: [hash] });
        if (receipt?.status !== '0x1') throw new Error(`raw send failed: ${JSON.stringify(receipt)}`);
      }
      return (performance.now() - t0) / REPS;
    };
    return [figure('ledger transaction', 'ms', await interleave(rounds, a, b, { warmup: 1 }))];
  } finally {
    await ledger.close();
  }
}
