import {
  createProofMessage,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  type PaymentRequirements,
} from '@tollgate/core'
import type { Payer } from './start-world.js'

/** Options of {@link txProofHeader}. */
export type TxProofOptions = {
  requirements: PaymentRequirements
  hash: string
  /** Who signs the proof. */
  signer: Payer
  /** The challenge in the payload and the signed message; default the requirements'. */
  challenge?: string
  /** A challenge signed over but not sent (`payload.challenge` omitted) when `'omit'`. */
  payloadChallenge?: 'omit'
  /** A `blockNumber` hint, sent as given. */
  blockNumber?: string
  /** The requirements sent back as `accepted`; default `requirements`. */
  accepted?: PaymentRequirements
  /** Replaces the signature. */
  signature?: string
  /** Sends the payload as x402 v1 `X-PAYMENT`. */
  v1?: boolean
}

/**
 * Signs and encodes a `tx` proof (or a deliberately wrong one): `{ name, value }` of the header.
 *
 * @example const header = await txProofHeader({ requirements: offer.tx, hash, signer: payer })
 */
export async function txProofHeader(options: TxProofOptions): Promise<{ name: string; value: string }> {
  const challenge = options.challenge ?? (options.requirements.extra.challenge as string)
  const message = createProofMessage({
    network: options.requirements.network,
    transaction: options.hash,
    challenge,
  })
  const signature = options.signature ?? (await options.signer.account.signMessage({ message }))
  const payload = {
    transaction: options.hash,
    ...(options.payloadChallenge === 'omit' ? {} : { challenge }),
    signature,
    ...(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber }),
  }
  const accepted = options.accepted ?? options.requirements
  if (options.v1) {
    return {
      name: 'X-PAYMENT',
      value: encodeXPaymentHeader({
        x402Version: 1,
        scheme: 'tx',
        network: accepted.network,
        payload,
      } as Parameters<typeof encodeXPaymentHeader>[0]),
    }
  }
  return {
    name: 'PAYMENT-SIGNATURE',
    value: encodePaymentSignatureHeader({ x402Version: 2, accepted, payload }),
  }
}
