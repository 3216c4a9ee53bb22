import type { PassPayload } from '../pass/pass-payload.js'

const MAX_VERIFIED_PASSES = 10_000
// A token ends with its HMAC: its last characters tell tokens apart, and hashing them is cheap,
// where hashing a whole token (hundreds of characters, new on every request) is most of a lookup.
const KEY_CHARACTERS = 32

/**
 * Pass tokens whose HMAC and payload were verified once, with their payloads; bounded (the oldest
 * is forgotten first). A lookup hashes only the token's tail, then compares the whole token.
 * @internal
 */
export type VerifiedPasses = {
  get(token: string): PassPayload | undefined
  set(token: string, payload: PassPayload): void
}

/** @internal */
export function createVerifiedPasses(max = MAX_VERIFIED_PASSES): VerifiedPasses {
  const entries = new Map<string, { token: string; payload: PassPayload }>()
  return {
    get(token) {
      const entry = entries.get(token.slice(-KEY_CHARACTERS))
      return entry !== undefined && entry.token === token ? entry.payload : undefined
    },
    set(token, payload) {
      const key = token.slice(-KEY_CHARACTERS)
      if (!entries.has(key) && entries.size >= max) entries.delete(entries.keys().next().value as string)
      entries.set(key, { token, payload })
    },
  }
}
