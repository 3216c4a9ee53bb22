import type { IssuedPass } from '../pass/issued-pass.js'
import { passCoversRequest } from '../pass/pass-covers-request.js'

/** Passes bought by a client, per origin, until they expire. @internal */
export type PassCache = {
  /** A pass covering this request that is valid for at least `marginSeconds` more. */
  find(method: string, url: string, nowSeconds: number): IssuedPass | undefined
  /** Remembers a pass for the origin of `url` (its own scope's origin wins). */
  add(pass: IssuedPass, url: string): void
  /** Forgets a pass the server refused. */
  remove(token: string): void
  /** Every cached pass. */
  list(): IssuedPass[]
}

/** @internal */
export function createPassCache(marginSeconds = 5): PassCache {
  const passes: IssuedPass[] = []
  return {
    find(method, url, nowSeconds) {
      for (let index = passes.length - 1; index >= 0; index--) {
        const pass = passes[index] as IssuedPass
        if (pass.expiresAt <= nowSeconds) {
          passes.splice(index, 1)
          continue
        }
        if (pass.expiresAt - marginSeconds <= nowSeconds) continue
        if (passCoversRequest(pass, { method, url })) return pass
      }
      return undefined
    },
    add(pass, url) {
      const scope =
        pass.scope.origin === undefined ? { ...pass.scope, origin: new URL(url).origin } : pass.scope
      passes.push({ ...pass, scope })
    },
    remove(token) {
      const index = passes.findIndex((pass) => pass.token === token)
      if (index !== -1) passes.splice(index, 1)
    },
    list: () => [...passes],
  }
}
