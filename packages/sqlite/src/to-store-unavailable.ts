import { TollgateError } from '@tollgate/core'

/**
 * Wraps a SQLite failure (busy past the timeout, I/O error, closed database) in the one error a
 * gate turns into `503` with `Retry-After: 1`. TollgateErrors pass through unchanged.
 * @internal
 */
export function toStoreUnavailable(operation: string, error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('store_unavailable', `The SQLite store could not complete "${operation}".`, {
    cause: error,
    retryAfter: 1,
  })
}
