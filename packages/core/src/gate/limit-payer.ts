import { TollgateError } from '../errors/tollgate-error.js'
import type { GateRuntime } from './gate-runtime.js'

/**
 * Takes one token from the payer's bucket when a per-payer limit is set.
 * @internal
 * @throws {TollgateError} `rate_limited` when the bucket is empty
 */
export async function limitPayer(runtime: GateRuntime, payer: string): Promise<void> {
  const bucket = runtime.options.rateLimit?.perPayer
  if (bucket === undefined) return
  const result = await runtime.store.take(`rate:payer:${payer.toLowerCase()}`, bucket)
  if (!result.allowed) {
    throw new TollgateError('rate_limited', 'Too many paid requests from this payer.', {
      retryAfter: result.retryAfterSeconds,
    })
  }
}
