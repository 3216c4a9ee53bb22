import { encodePass } from '../pass/encode-pass.js'
import type { IssuedPass } from '../pass/issued-pass.js'
import type { CompiledRoute } from './compile-routes.js'
import type { GateRuntime } from './gate-runtime.js'
import type { Offer } from './offers.js'
import type { GateRequest } from './types.js'

/**
 * Signs the pass an offer sells, scoped to the offer's routes and the request's origin; undefined
 * when the offer sells none.
 * @internal
 */
export async function issueRoutePass(
  runtime: GateRuntime,
  offer: Offer,
  route: CompiledRoute,
  payer: string,
  request: GateRequest,
): Promise<IssuedPass | undefined> {
  if (offer.pass === undefined) return undefined
  const scope = { routes: [...(offer.pass.scope ?? [route.key])], origin: new URL(request.url).origin }
  const { token, payload } = await encodePass(
    {
      sub: payer,
      scope,
      ttlSeconds: offer.pass.ttlSeconds,
      ...(offer.pass.uses === undefined ? {} : { uses: offer.pass.uses }),
    },
    { keyring: runtime.keyring, now: runtime.now },
  )
  return {
    token,
    expiresAt: payload.exp,
    scope,
    ...(offer.pass.uses === undefined ? {} : { uses: offer.pass.uses }),
  }
}
