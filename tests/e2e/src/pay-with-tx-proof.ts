import { decodePaymentRequiredHeader, type PaymentRequirements } from '@tollgate/core'
import { payWithTx } from '@tollgate/test-support'
import type { Devnet } from '@tollgate/testkit'

/** Options of {@link payWithTxProof}. */
export type PayWithTxProofOptions = {
  /** The priced URL to pay, such as `${gate.url}/api/search`. */
  url: string
  /** Index of the devnet account that pays and signs the proof. */
  from: number
}

/**
 * Pays a priced route by hand the way an agent pays a `tx` requirement: asks for the 402, sends
 * the USDC transfer on the devnet, waits for it to be mined, and signs the proof over the
 * challenge. Returns the `PAYMENT-SIGNATURE` header, which any instance sharing the gate's secret
 * accepts once.
 *
 * @example
 * const header = await payWithTxProof(devnet, { url: `${gate.url}/api/search`, from: 1 })
 * await fetch(`${gate.url}/api/search`, { headers: { 'PAYMENT-SIGNATURE': header } }) // 200
 * @throws {Error} when the route does not answer 402 with a `tx` requirement, or the transfer fails
 */
export async function payWithTxProof(devnet: Devnet, options: PayWithTxProofOptions): Promise<string> {
  const challenge = await fetch(options.url)
  const header = challenge.headers.get('PAYMENT-REQUIRED')
  if (challenge.status !== 402 || header === null) {
    throw new Error(`Expected a 402 from ${options.url}, got ${challenge.status}.`)
  }
  const requirements: PaymentRequirements | undefined = decodePaymentRequiredHeader(header).accepts.find(
    (entry) => entry.scheme === 'tx',
  )
  if (requirements === undefined) throw new Error(`${options.url} offers no tx requirement.`)
  return payWithTx(devnet, requirements, options.from)
}
