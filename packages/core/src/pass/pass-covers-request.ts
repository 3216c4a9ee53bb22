import { findScopeMismatch, type PassRequest } from './find-scope-mismatch.js'
import type { PassScope } from './pass-payload.js'

/**
 * Whether a pass covers a request: its method and path match one of the pass's routes, and its
 * origin is the pass's origin when one is set. Does not check expiry or the signature.
 *
 * Works with a verified `PassPayload` and with the `{ token, expiresAt, scope }` a client keeps,
 * so a client can pick which cached pass to send.
 *
 * @example
 * passCoversRequest({ scope: { routes: ['GET /weather/:city'] } }, { method: 'GET', url: 'https://api.example.com/weather/paris' }) // true
 * @throws never; a malformed scope or URL covers nothing
 */
export function passCoversRequest(pass: { scope: PassScope }, request: PassRequest): boolean {
  try {
    return findScopeMismatch(pass.scope, request) === undefined
  } catch {
    // A client may hold a scope from an untrusted response; a malformed one covers nothing.
    return false
  }
}
