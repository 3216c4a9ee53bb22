import { TollgateError } from '@tollgate/core'

/**
 * Wraps a Redis failure (unreachable, timed out, error reply, unexpected reply) in the one error
 * a gate turns into `503` with `Retry-After: 1`. Never includes the URL, which may hold a password.
 * @internal
 */
export function toStoreUnavailable(operation: string, error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('store_unavailable', `The Redis store could not complete "${operation}".`, {
    cause: error,
    retryAfter: 1,
  })
}
