import { invert } from '@noble/curves/abstract/modular'
import { secp256k1 } from '@noble/curves/secp256k1'
import { type Address, type Hex, keccak256 } from 'viem'

/** Whether a 65-byte ECDSA signature over a digest is the given address's, as `ecrecover` decides. @internal */
export type EcdsaSignerCheck = (digest: Hex, signature: Hex, from: Address) => boolean

/** Options of {@link createEcdsaSignerCheck}. @internal */
export type CreateEcdsaSignerCheckOptions = {
  /** Most payers whose public key (and, once seen twice, its multiplication table) is kept. Default 128. */
  maxKeys?: number
}

type ProjectivePoint = InstanceType<typeof secp256k1.ProjectivePoint>
type KnownKey = { point: ProjectivePoint; tabled: boolean }

const { ProjectivePoint: Point, CURVE } = secp256k1
// secp256k1 n / 2: tokens (FiatToken, OpenZeppelin) refuse the malleable high-s twin of a signature.
const HALF_ORDER = CURVE.n >> 1n
// A 4-bit window: about 60 KB per payer, a few milliseconds to build, several times faster than recovery.
const TABLE_WINDOW = 4

/**
 * Creates a check of ECDSA signatures against the address that should have made them, refusing
 * what an EIP-3009 token refuses on chain (high `s`, a `v` other than 0, 1, 27 or 28). The first
 * signature of a payer is recovered; once it recovers to the payer, the public key is kept, and
 * from the payer's next signature on it is checked against that key instead: the point `R` is
 * computed as `(z / s)·G + (r / s)·P` and must have `x = r` and the parity `v` names, which holds
 * exactly when `ecrecover(digest, v, r, s)` gives `P`, at a fraction of a recovery's cost once
 * `P`'s multiplication table exists. Keys are kept for the `maxKeys` most recent payers.
 *
 * @example const isSigner = createEcdsaSignerCheck(); isSigner(digest, signature, from) // true | false
 * @internal
 */
export function createEcdsaSignerCheck(options: CreateEcdsaSignerCheckOptions = {}): EcdsaSignerCheck {
  const maxKeys = options.maxKeys ?? 128
  const keys = new Map<string, KnownKey>()

  const remember = (payer: string, point: ProjectivePoint): void => {
    keys.set(payer, { point, tabled: false })
    for (const oldest of keys.keys()) {
      if (keys.size <= maxKeys) break
      keys.delete(oldest)
    }
  }

  return (digest, signature, from) => {
    const parts = splitSignature(signature)
    if (parts === undefined || !/^0x[0-9a-fA-F]{64}$/.test(digest)) return false
    const payer = from.toLowerCase()
    const known = keys.get(payer)
    try {
      if (known === undefined) {
        const point = recover(digest, parts)
        if (addressOf(point) !== payer) return false
        remember(payer, point)
        return true
      }
      // Most recent last, so the payers paying now stay.
      keys.delete(payer)
      keys.set(payer, known)
      if (!known.tabled) {
        secp256k1.utils.precompute(TABLE_WINDOW, known.point)
        known.tabled = true
      }
      return signedBy(digest, parts, known.point)
    } catch {
      return false
    }
  }
}

type SignatureParts = { r: bigint; s: bigint; parity: 0 | 1 }

function splitSignature(signature: Hex): SignatureParts | undefined {
  if (signature.length !== 132 || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  if (r === 0n || r >= CURVE.n || s === 0n || s > HALF_ORDER) return undefined
  if (v !== 0 && v !== 1 && v !== 27 && v !== 28) return undefined
  return { r, s, parity: (v >= 27 ? v - 27 : v) as 0 | 1 }
}

function recover(digest: Hex, { r, s, parity }: SignatureParts): ProjectivePoint {
  return new secp256k1.Signature(r, s).addRecoveryBit(parity).recoverPublicKey(digest.slice(2))
}

// The key's address: the last 20 bytes of keccak256(x ‖ y), lower case.
function addressOf(point: ProjectivePoint): string {
  return `0x${keccak256(point.toRawBytes(false).subarray(1), 'hex').slice(26)}`
}

// R = (z / s)·G + (r / s)·P; ecrecover(digest, v, r, s) = P exactly when R.x = r and R.y has v's parity.
function signedBy(digest: Hex, { r, s, parity }: SignatureParts, point: ProjectivePoint): boolean {
  const z = BigInt(digest) % CURVE.n
  const sInverse = invert(s, CURVE.n)
  const u1 = (z * sInverse) % CURVE.n
  const u2 = (r * sInverse) % CURVE.n
  const sum = u1 === 0n ? point.multiply(u2) : Point.BASE.multiply(u1).add(point.multiply(u2))
  if (sum.equals(Point.ZERO)) return false
  const { x, y } = sum.toAffine()
  return x === r && Number(y & 1n) === parity
}
