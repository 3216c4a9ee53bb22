import { TollgateError } from '../errors/tollgate-error.js'

/**
 * Anything a verifier throws that is not a TollgateError means the chain could not be asked: fail
 * closed with a retryable 503, never serve.
 * @internal
 */
export function asVerificationError(error: unknown): TollgateError {
  if (TollgateError.is(error)) return error
  return new TollgateError('rpc_unavailable', 'The payment could not be verified right now.', {
    cause: error,
    retryAfter: 2,
  })
}
