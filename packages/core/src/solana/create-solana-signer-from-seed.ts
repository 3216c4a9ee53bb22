import {
  createKeyPairSignerFromBytes,
  createKeyPairSignerFromPrivateKeyBytes,
  type KeyPairSigner,
} from '@solana/kit'
import { TollgateError } from '../errors/tollgate-error.js'

/**
 * Imports a Solana key as a signer whose private key is a non-extractable WebCrypto Ed25519 key.
 * Takes the 32-byte seed, or the 64-byte `secret || public` key pair the Solana CLI writes (the
 * public half must match). The bytes are not kept; the caller should wipe its copy.
 *
 * @example
 * const signer = await createSolanaSignerFromSeed(seedBytes)
 * signer.address // "9xQe…"
 * @throws {TollgateError} `config_invalid` for bytes of another length or a mismatched key pair
 */
export async function createSolanaSignerFromSeed(bytes: Uint8Array): Promise<KeyPairSigner> {
  if (!(bytes instanceof Uint8Array) || (bytes.length !== 32 && bytes.length !== 64)) {
    const length = bytes instanceof Uint8Array ? bytes.length : typeof bytes
    throw new TollgateError(
      'config_invalid',
      `A Solana key must be a 32-byte seed or a 64-byte key pair, not ${length} bytes.`,
    )
  }
  try {
    return bytes.length === 32
      ? await createKeyPairSignerFromPrivateKeyBytes(bytes, false)
      : await createKeyPairSignerFromBytes(bytes, false)
  } catch (error) {
    // Never let the key bytes travel in an error: keep only the kind of failure.
    throw new TollgateError(
      'config_invalid',
      'The Solana key pair is invalid: its public key does not match.',
      {
        details: { reason: (error as { name?: string }).name ?? 'error' },
      },
    )
  }
}
