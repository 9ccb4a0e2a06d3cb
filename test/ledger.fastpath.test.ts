// The ledger's fast path: transactions signed here with nonces made ahead of time (every one must
// recover to its signer, in low-s form, and no secret nonce may sign twice), and balances kept from
// the receipts of this client's transactions, checked against the chain, which stays the truth.
import { encodeFunctionData, parseTransaction, recoverTransactionAddress, type Hex, type TransactionSerializedLegacy } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { Ledger, labTokenAbi, type SpectrumConfig } from '../harness/ledger/index.js';
import { refillNonces, TxSigner } from '../harness/ledger/signer.js';

const spectrum: SpectrumConfig = { bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 1000 };
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

test('every signed transaction recovers to its signer, with low s and an r never used twice', async () => {
  const key = generatePrivateKey();
  const signer = new TxSigner(key);
  const address = privateKeyToAccount(key).address;
  const rs = new Set<string>();
  for (let i = 0; i < 300; i++) {
    if (i % 3 === 0) refillNonces(); // from the pool and made on the spot, both
    const data = `0x${i.toString(16).padStart(8, '0')}` as Hex;
    const raw = signer.sign({ chainId: 31337, type: 'legacy', to: address, data, gas: 100_000n, gasPrice: 1_000_000_000n, nonce: i });
    expect(await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerializedLegacy })).toBe(address);
    const tx = parseTransaction(raw);
    expect(tx.nonce).toBe(i);
    expect(tx.chainId).toBe(31337);
    expect(BigInt(tx.s!)).toBeLessThanOrEqual(HALF_N);
    expect(rs.has(tx.r!)).toBe(false);
    rs.add(tx.r!);
  }
  expect(() => new TxSigner(`0x${'0'.repeat(64)}`)).toThrow(RangeError);
});

test('balances are kept from receipts, and the chain read finds tokens moved behind the client and starts again from it', async () => {
  const { ledger, chain } = await Ledger.embeddedWithChain({ operators: ['op-a', 'op-b'], spectrum });
  try {
    const start = await ledger.balances();
    const e = await ledger.currentEpoch();
    await ledger.requestAll(e, new Map([['op-a', 222], ['op-b', 222]]));
    await ledger.decide(e);
    await Promise.all([ledger.settle(e, 'op-a', 111), ledger.settle(e, 'op-b', 60)]);
    const kept = await ledger.balances();
    expect(kept).not.toEqual(start);
    expect(await ledger.chainBalances()).toEqual(kept);
    expect([...kept.values()].reduce((a, b) => a + b, 0n)).toBe(await ledger.totalSupply());

    // op-a gives op-b 5 tokens in a transaction this client did not send.
    const { token } = await ledger.info();
    const [a, b] = [ledger.addresses().get('op-a')!, ledger.addresses().get('op-b')!];
    await chain.admin.request({ method: 'hardhat_impersonateAccount', params: [a] });
    const data = encodeFunctionData({ abi: labTokenAbi, functionName: 'transfer', args: [b, 5_000_000n] });
    await chain.admin.request({ method: 'eth_sendTransaction', params: [{ from: a, to: token, data, gas: '0x30000' }] });
    expect(await ledger.balances()).toEqual(kept); // kept: no read of the chain
    const onChain = await ledger.chainBalances();
    expect(onChain).toEqual(new Map([['op-a', kept.get('op-a')! - 5_000_000n], ['op-b', kept.get('op-b')! + 5_000_000n]]));
    expect(await ledger.balances()).toEqual(onChain);

    // And the next epoch's transfers are kept on top of the chain's figures.
    const e2 = await ledger.currentEpoch();
    await ledger.requestAll(e2, new Map([['op-a', 10], ['op-b', 10]]));
    await ledger.decide(e2);
    await Promise.all([ledger.settle(e2, 'op-a', 10), ledger.settle(e2, 'op-b', 0)]);
    expect(await ledger.balances()).toEqual(await ledger.chainBalances());
  } finally {
    await ledger.close();
  }
});
