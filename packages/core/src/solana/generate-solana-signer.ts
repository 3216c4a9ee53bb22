import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit'

/**
 * Generates a new Solana signer whose private key is a non-extractable WebCrypto Ed25519 key:
 * it can sign, but its bytes can never be read, exported, serialised or logged.
 *
 * @example
 * const signer = await generateSolanaSigner()
 * const wallet = solanaWallet({ signer, rpcUrl, networks: [SOLANA_DEVNET] })
 * @throws {Error} when the runtime's WebCrypto lacks Ed25519 (Node 20 and current browsers have it)
 */
export async function generateSolanaSigner(): Promise<KeyPairSigner> {
  return generateKeyPairSigner(false)
}
