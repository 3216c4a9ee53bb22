import { TollgateError } from '../errors/tollgate-error.js'
import type { TokenBucket } from './types.js'

/**
 * Checks a token bucket and fills in its default cost, so every Store refuses the same bad
 * buckets the same way.
 *
 * @example const { capacity, refillPerSecond, cost } = assertTokenBucket({ capacity: 10, refillPerSecond: 1 })
 * @throws {TollgateError} `config_invalid` for a non-positive or non-finite capacity or rate, or a negative cost
 */
export function assertTokenBucket(bucket: TokenBucket): Required<TokenBucket> {
  const cost = bucket?.cost ?? 1
  const valid =
    Number.isFinite(bucket?.capacity) &&
    bucket.capacity > 0 &&
    Number.isFinite(bucket.refillPerSecond) &&
    bucket.refillPerSecond > 0 &&
    Number.isFinite(cost) &&
    cost >= 0
  if (!valid) {
    throw new TollgateError('config_invalid', `Invalid token bucket ${JSON.stringify(bucket)}.`, {
      details: { capacity: bucket?.capacity, refillPerSecond: bucket?.refillPerSecond, cost },
    })
  }
  return { capacity: bucket.capacity, refillPerSecond: bucket.refillPerSecond, cost }
}
