import type { IssuedPass } from '../pass/issued-pass.js'

/**
 * Reads a pass from `PAYMENT-RESPONSE.extensions.pass`, bounded and validated; undefined when absent
 * or malformed.
 * @example readPass(settle?.extensions?.pass)
 * @internal
 */
export function readPass(value: unknown): IssuedPass | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const pass = value as Partial<IssuedPass>
  if (typeof pass.token !== 'string' || pass.token.length > 4096 || typeof pass.expiresAt !== 'number')
    return undefined
  if (typeof pass.scope !== 'object' || pass.scope === null || !Array.isArray(pass.scope.routes))
    return undefined
  const routes = pass.scope.routes.filter((route): route is string => typeof route === 'string').slice(0, 32)
  return {
    token: pass.token,
    expiresAt: pass.expiresAt,
    scope: { routes, ...(typeof pass.scope.origin === 'string' ? { origin: pass.scope.origin } : {}) },
    ...(typeof pass.uses === 'number' ? { uses: pass.uses } : {}),
  }
}
