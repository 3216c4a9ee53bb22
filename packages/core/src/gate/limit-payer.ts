import { TollgateError } from '../errors/tollgate-error.js'
import type { GateRuntime } from './gate-runtime.js'

/**
 * The bucket key of a payer whose network is not at hand (a pass names only its buyer): an EVM
 * address (`0x` and 40 hex digits) lowercased, as `addressKey` does on EVM; any other address,
 * such as Solana's case-sensitive base58 (which has no `0`, so never looks like EVM), kept exactly.
 */
function payerKey(payer: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(payer) ? payer.toLowerCase() : payer
}

/**
 * Takes one token from the payer's bucket when a per-payer limit is set.
 * @internal
 * @throws {TollgateError} `rate_limited` when the bucket is empty
 */
export async function limitPayer(runtime: GateRuntime, payer: string): Promise<void> {
  const bucket = runtime.options.rateLimit?.perPayer
  if (bucket === undefined) return
  const result = await runtime.store.take(`rate:payer:${payerKey(payer)}`, bucket)
  if (!result.allowed) {
    throw new TollgateError('rate_limited', 'Too many paid requests from this payer.', {
      retryAfter: result.retryAfterSeconds,
    })
  }
}
