import { base64UrlToBytes, bytesToBase64Url, utf8ToBytes } from '../encoding/base64.js'
import type { Keyring } from '../keyring/create-keyring.js'
import type { MppChallenge } from '../mpp/types.js'

/** Sub-key label of MPP challenge ids. @internal */
export const MPP_CHALLENGE_PURPOSE = 'mpp-challenge'

/** What an id binds: the challenge without its id and description, and the route it prices. @internal */
export type MppChallengeBinding = Omit<MppChallenge, 'id' | 'description'>

/**
 * The MAC input of a challenge id: the draft's seven positional slots (realm, method, intent,
 * request, expires, digest, opaque; absent ones empty) joined with `|`, then the route key as an
 * eighth slot, so a challenge issued for one route never pays another at the same price.
 */
function macInput(challenge: MppChallengeBinding, routeKey: string): Uint8Array {
  const slots = [
    challenge.realm,
    challenge.method,
    challenge.intent,
    challenge.request,
    challenge.expires ?? '',
    challenge.digest ?? '',
    challenge.opaque ?? '',
    routeKey,
  ]
  return utf8ToBytes(slots.join('|'))
}

/**
 * The stateless id of an MPP challenge: base64url HMAC-SHA256, with the gate's current key, over
 * the challenge's parameters and the route key.
 * @internal
 * @example const id = await signMppChallengeId(runtime.keyring, challenge, route.key)
 */
export async function signMppChallengeId(
  keyring: Keyring,
  challenge: MppChallengeBinding,
  routeKey: string,
): Promise<string> {
  return bytesToBase64Url(await keyring.sign(MPP_CHALLENGE_PURPOSE, macInput(challenge, routeKey)))
}

/**
 * Whether `id` is the HMAC of the echoed challenge for this route under any key of the keyring
 * (current or previous), compared in constant time.
 * @internal
 * @example if (!(await verifyMppChallengeId(runtime.keyring, credential.challenge, route.key))) refuse()
 */
export async function verifyMppChallengeId(
  keyring: Keyring,
  challenge: MppChallengeBinding & { id: string },
  routeKey: string,
): Promise<boolean> {
  const mac = base64UrlToBytes(challenge.id)
  if (mac === undefined || mac.length !== 32) return false
  const input = macInput(challenge, routeKey)
  for (const kid of keyring.kids) {
    if (await keyring.verify(MPP_CHALLENGE_PURPOSE, kid, input, mac)) return true
  }
  return false
}
