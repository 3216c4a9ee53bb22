import { quote, TollgateError } from '../errors/tollgate-error.js'
import { findScopeMismatch, type PassRequest, type RequestUrl } from './find-scope-mismatch.js'
import type { PassPayload } from './pass-payload.js'

/** Options of {@link assertPassUsable}. @internal */
export type AssertPassUsableOptions = {
  /** Current unix time in seconds. */
  nowSeconds: number
  /** Tolerated clock difference, in seconds, at both ends of the lifetime. */
  clockSkewSeconds: number
  /** When given, the pass must cover this request (a parsed URL saves parsing it again). */
  request?: PassRequest | { method: string; url: RequestUrl }
}

/**
 * Checks what can change between two uses of an already verified pass: its lifetime and whether
 * its scope covers the request. No cryptography, no I/O.
 *
 * @example assertPassUsable(pass, { nowSeconds, clockSkewSeconds: 30, request: { method: 'GET', url } })
 * @throws {TollgateError} `pass_not_yet_valid`, `pass_expired`, `pass_scope_mismatch`
 * @internal
 */
export function assertPassUsable(pass: PassPayload, options: AssertPassUsableOptions): void {
  const { nowSeconds: seconds, clockSkewSeconds, request } = options
  if (!passLive(pass, seconds, clockSkewSeconds)) {
    if (pass.iat > seconds + clockSkewSeconds) {
      throw new TollgateError(
        'pass_not_yet_valid',
        `The pass is valid from ${pass.iat}, but it is now ${seconds}.`,
        {
          details: { iat: pass.iat, now: seconds },
        },
      )
    }
    throw new TollgateError('pass_expired', `The pass expired at ${pass.exp}; it is now ${seconds}.`, {
      details: { exp: pass.exp, now: seconds },
    })
  }
  if (request === undefined) return
  const mismatch = findScopeMismatch(pass.scope, request)
  if (mismatch !== undefined) {
    throw new TollgateError('pass_scope_mismatch', scopeMessage(mismatch, request), {
      details: {
        reason: mismatch,
        routes: pass.scope.routes,
        ...(pass.scope.origin && { origin: pass.scope.origin }),
      },
    })
  }
}

/**
 * Whether `pass` is within its lifetime at `seconds` (unix seconds), with `clockSkewSeconds`
 * tolerated at both ends: issued no later than now, expiring after now.
 * @internal
 * @example passLive(pass, Math.floor(Date.now() / 1000), 30) // true
 */
export function passLive(
  pass: Pick<PassPayload, 'iat' | 'exp'>,
  seconds: number,
  clockSkewSeconds: number,
): boolean {
  return pass.iat <= seconds + clockSkewSeconds && pass.exp > seconds - clockSkewSeconds
}

function scopeMessage(
  mismatch: 'url' | 'origin' | 'route',
  request: { method: string; url: string | RequestUrl },
): string {
  if (mismatch === 'url') return 'The request URL is not an absolute URL, so no pass covers it.'
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url
  if (mismatch === 'origin') return `The pass is not valid at ${url.origin}.`
  return `The pass does not cover ${quote(`${request.method} ${url.pathname}`, 128)}.`
}
