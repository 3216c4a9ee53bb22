import { TollgateError } from '../errors/tollgate-error.js'
import { headerNames } from '../protocol/headers.js'
import { createPaymentIdentifier, withPaymentIdentifier } from '../protocol/payment-identifier.js'
import { encodePaymentSignatureHeader } from '../protocol/payment-signature-header.js'
import type { PaymentRequirements } from '../protocol/types.js'
import { createProofMessage } from '../tx/create-proof-message.js'
import type { PaymentSession } from './payment-session.js'

/**
 * Signs the proof of a session's transfer against the challenge of `requirements` and sets the
 * session's payload and header.
 * @example await proveTx(session, requirements)
 * @throws {TollgateError} `response_invalid` without a challenge, `wallet_unavailable`
 * @internal
 */
export async function proveTx(session: PaymentSession, requirements: PaymentRequirements): Promise<void> {
  const challenge = requirements.extra.challenge
  if (typeof challenge !== 'string' || session.transaction === undefined) {
    throw new TollgateError('response_invalid', 'The tx requirements carry no challenge to prove against.')
  }
  const wallet = session.candidate.wallet
  if (wallet.signProof === undefined)
    throw new TollgateError('wallet_unavailable', 'The wallet cannot sign tx proofs.')
  const message = createProofMessage({
    network: requirements.network,
    transaction: session.transaction,
    challenge,
  })
  const signature = await wallet.signProof({ network: requirements.network, message })
  // Each proof is a new payload, so it gets its own identifier; resending it sends the same one.
  session.paymentIdentifier = createPaymentIdentifier()
  const extensions = withPaymentIdentifier(session.declared, session.paymentIdentifier)
  session.payload = {
    x402Version: 2,
    accepted: requirements,
    payload: { transaction: session.transaction, challenge, signature, ...session.hints },
    ...(extensions ? { extensions } : {}),
  }
  session.header = {
    name: headerNames.paymentSignature,
    value: encodePaymentSignatureHeader(session.payload),
  }
}
