import type { Network } from '../chains/types.js'
import { decodePaymentReceipt } from '../mpp/decode-payment-receipt.js'
import { mppHeaderNames } from '../mpp/types.js'
import type { SettleResponse } from '../protocol/types.js'

/**
 * The `Payment-Receipt` of a paid MPP answer, as the settlement it reports (`reference` is the
 * settlement's transaction on EVM); undefined when absent or malformed.
 * @example const settle = readMppReceipt(response, 'eip155:8453')
 * @internal
 */
export function readMppReceipt(response: Response, network: Network): SettleResponse | undefined {
  const header = response.headers.get(mppHeaderNames.paymentReceipt)
  if (header === null) return undefined
  try {
    const receipt = decodePaymentReceipt(header)
    return { success: true, transaction: receipt.reference, network }
  } catch {
    return undefined
  }
}
