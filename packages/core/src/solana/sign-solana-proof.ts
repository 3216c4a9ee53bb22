import { createSignableMessage, getBase58Decoder } from '@solana/kit'
import { TollgateError } from '../errors/tollgate-error.js'
import type { SolanaWalletRuntime } from './solana-wallet-runtime.js'

const PROOF_PREFIX = 'Tollgate payment proof\nnetwork: '
const MAX_PROOF_BYTES = 4096

/**
 * Signs a Tollgate `tx` proof message with the wallet's key; any other message is refused, since
 * signing arbitrary bytes with a payment key could sign something else entirely.
 * @example const signature = await signSolanaProof(runtime, { network, message })
 * @throws {TollgateError} `invalid_payload`, `wallet_unavailable`
 * @internal
 */
export async function signSolanaProof(
  runtime: SolanaWalletRuntime,
  input: { network: string; message: string },
): Promise<string> {
  const { signer } = runtime
  const message = input.message
  if (
    typeof message !== 'string' ||
    !message.startsWith(`${PROOF_PREFIX}${input.network}\n`) ||
    new TextEncoder().encode(message).length > MAX_PROOF_BYTES
  ) {
    // Signing arbitrary bytes with a payment key could sign something else entirely.
    throw new TollgateError('invalid_payload', 'The wallet signs Tollgate payment proofs only.')
  }
  const [signatures] = await signer.signMessages([createSignableMessage(message)])
  const signature = signatures?.[signer.address]
  if (signature === undefined)
    throw new TollgateError('wallet_unavailable', 'The signer did not sign the proof.')
  return getBase58Decoder().decode(signature)
}
