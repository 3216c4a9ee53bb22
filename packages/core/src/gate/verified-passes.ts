import type { PassPayload } from '../pass/pass-payload.js'
import type { RememberedRide } from './remembered-ride.js'

const MAX_VERIFIED_PASSES = 10_000
// A token ends with its HMAC: its last characters tell tokens apart, and hashing them is cheap,
// where hashing a whole token (hundreds of characters, new on every request) is most of a lookup.
const KEY_CHARACTERS = 32

/**
 * A pass token whose HMAC and payload were verified, with its payload, and the last request it was
 * admitted for without a store (see `rememberRide`), if any.
 * @internal
 */
export type KnownPass = {
  readonly token: string
  readonly payload: PassPayload
  ride?: RememberedRide
}

/**
 * Pass tokens whose HMAC and payload were verified once, with their payloads; bounded (the oldest
 * is forgotten first). A lookup hashes only the token's tail, then compares the whole token.
 * @internal
 */
export type VerifiedPasses = {
  get(token: string): KnownPass | undefined
  set(token: string, payload: PassPayload): void
}

/** @internal */
export function createVerifiedPasses(max = MAX_VERIFIED_PASSES): VerifiedPasses {
  const entries = new Map<string, KnownPass>()
  // The pass of the request before: a chatty agent sends the same one again, and comparing it costs
  // less than hashing a tail. Forgotten by the map or not, its token was verified.
  let latest: KnownPass | undefined
  return {
    get(token) {
      if (latest !== undefined && latest.token === token) return latest
      const entry = entries.get(token.slice(-KEY_CHARACTERS))
      if (entry === undefined || entry.token !== token) return undefined
      latest = entry
      return entry
    },
    set(token, payload) {
      const key = token.slice(-KEY_CHARACTERS)
      if (!entries.has(key) && entries.size >= max) entries.delete(entries.keys().next().value as string)
      latest = { token, payload }
      entries.set(key, latest)
    },
  }
}
