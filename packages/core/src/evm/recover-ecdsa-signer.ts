import { type Address, type Hex, recoverAddress } from 'viem'

// secp256k1 n / 2: tokens (FiatToken, OpenZeppelin) refuse the malleable high-s twin of a signature.
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/**
 * Recovers the signer of a 65-byte ECDSA signature over `digest`, offline, refusing what an
 * EIP-3009 token refuses on chain (high `s`, a `v` other than 0, 1, 27 or 28). Returns undefined
 * for anything that is not such a signature (a smart-wallet signature, for instance).
 *
 * @example const signer = await recoverEcdsaSigner(digest, signature) // '0xAbC…' | undefined
 * @internal
 */
export async function recoverEcdsaSigner(digest: Hex, signature: Hex): Promise<Address | undefined> {
  if (signature.length !== 132) return undefined
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  if (s === 0n || s > HALF_ORDER || ![0, 1, 27, 28].includes(v)) return undefined
  try {
    return await recoverAddress({ hash: digest, signature })
  } catch {
    return undefined
  }
}
