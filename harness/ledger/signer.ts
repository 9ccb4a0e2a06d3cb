// Transaction signing with the costly half of ECDSA done ahead of time. An ECDSA signature over
// secp256k1 needs a one-time secret k and the point R = kG (about 0.2 ms of BigInt arithmetic),
// neither of which depends on the message or the key; the rest, s = k^-1 (z + r d) mod n, is two
// multiplications. So (k^-1, r, parity of R) triples are made while the client waits on the chain
// (after a send went out), and signing at call time only finishes one. k comes from the
// curve library's CSPRNG scalar (uniform in [1, n-1]); each triple is taken out of the pool
// before use, so a k never signs twice. The transaction encoding is viem's, as for its own
// signer, and the tests check every signature recovers to the signer's address.
import { secp256k1 } from '@noble/curves/secp256k1';
import { invert, mod } from '@noble/curves/abstract/modular';
import { keccak256, numberToHex, serializeTransaction, type Hex, type TransactionSerializableLegacy } from 'viem';

// The base point's precomputed table with 6-bit windows (1,408 points) instead of the library's
// 8 (4,224): built in about 7 ms instead of 16-26 (start-up feels it: the first public key or
// signature builds it), for a k*G of about 0.20 ms against 0.16 (and 0.27 with 4-bit windows).
// The k*G runs on the client's thread while the chain's thread executes the transaction, and on
// a small machine the two share a core, so a cheaper one is a faster transaction. viem's
// accounts share this copy of the curve (one @noble/curves in package.json and viem's).
secp256k1.utils.precompute(6);

const N = secp256k1.CURVE.n;
const HALF_N = N >> 1n;

interface Nonce {
  kInv: bigint;
  r: bigint;
  /** The parity of R's y coordinate (the recovery id before low-s normalisation). */
  odd: boolean;
}

/** Enough for every operator's concurrent calls of an epoch; made one per send while waiting. */
const POOL_TARGET = 16;
const pool: Nonce[] = [];

function makeNonce(): Nonce {
  for (;;) {
    const k = secp256k1.utils.normPrivateKeyToScalar(secp256k1.utils.randomPrivateKey());
    const R = secp256k1.ProjectivePoint.BASE.multiply(k).toAffine();
    // r = R.x mod n; an R.x at or above n (chance about 2^-128) would need a second recovery bit: skip it.
    if (R.x >= N || R.x === 0n) continue;
    return { kInv: invert(k, N), r: R.x, odd: (R.y & 1n) === 1n };
  }
}

/** Makes one triple if the pool is short: call it while waiting on the chain. */
export function refillNonces(): void {
  if (pool.length < POOL_TARGET) pool.push(makeNonce());
}

/** A signer of legacy (EIP-155) transactions with one private key. */
export class TxSigner {
  readonly #d: bigint;

  constructor(privateKey: Hex) {
    this.#d = BigInt(privateKey);
    if (this.#d <= 0n || this.#d >= N) throw new RangeError('not a secp256k1 private key');
  }

  /** The signed, serialized transaction (what eth_sendRawTransaction takes). */
  sign(tx: TransactionSerializableLegacy & { chainId: number }): Hex {
    const z = mod(BigInt(keccak256(serializeTransaction(tx))), N);
    for (;;) {
      const { kInv, r, odd } = pool.pop() ?? makeNonce();
      let s = mod(kInv * (z + r * this.#d), N);
      if (s === 0n) continue;
      let yParity = odd ? 1 : 0;
      // Low s (EIP-2): the other s of the pair, whose R is the mirror point.
      if (s > HALF_N) {
        s = N - s;
        yParity ^= 1;
      }
      return serializeTransaction(tx, { r: numberToHex(r, { size: 32 }), s: numberToHex(s, { size: 32 }), yParity, v: BigInt(yParity + 27) });
    }
  }
}
