import { getBase58Encoder } from '@solana/kit'

/**
 * Whether `signature` is the Ed25519 signature of `message` by the account `publicKey` (a base58
 * address), with WebCrypto. False, never a throw, for a key that is not a valid curve point.
 * @internal
 */
export async function verifyEd25519Signature(
  publicKey: string,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  try {
    const raw = new Uint8Array(getBase58Encoder().encode(publicKey))
    if (raw.length !== 32) return false
    const key = await crypto.subtle.importKey('raw', raw, 'Ed25519', false, ['verify'])
    return await crypto.subtle.verify('Ed25519', key, signature, message)
  } catch {
    return false
  }
}
