import type { TollgateError } from '../errors/tollgate-error.js'

/** Options of {@link createErrorResponse}. */
export type CreateErrorResponseOptions = {
  /** Extra headers to send. */
  headers?: HeadersInit
}

/**
 * Builds the JSON error response for a TollgateError: the status from core's one code table,
 * body `{ error: code, message, details? }`, and `Retry-After` for transient failures.
 *
 * @example return createErrorResponse(new TollgateError('rpc_unavailable', 'The RPC timed out.', { retryAfter: 2 }))
 */
export function createErrorResponse(
  error: TollgateError,
  options: CreateErrorResponseOptions = {},
): Response {
  const headers = new Headers(options.headers)
  headers.set('content-type', 'application/json; charset=utf-8')
  headers.set('cache-control', 'no-store')
  const retryAfter = error.retryAfter ?? (error.status === 503 ? 1 : undefined)
  if (retryAfter !== undefined) headers.set('retry-after', String(Math.max(1, Math.ceil(retryAfter))))
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers })
}
