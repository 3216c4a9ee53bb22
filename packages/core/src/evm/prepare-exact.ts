import type { Address, Hex } from 'viem'
import type { ExactInput } from '../scheme/types.js'
import { checkExactAuthorization } from './check-exact-authorization.js'
import type { PreparedSettlement } from './create-exact-settlement.js'
import { encodeTransfer } from './exact-calls.js'
import { type ExactSchemeRuntime, MAX_KEPT_SIMULATIONS } from './exact-scheme-runtime.js'
import { parseExactPayload } from './parse-exact-payload.js'

/** An authorization that passed the offline checks. @internal */
export type PreparedExact = PreparedSettlement & {
  /** The EIP-712 digest the payer signed. */
  digest: Hex
  /** Whether the signature recovers to the payer (else it must pass ERC-1271). */
  eoaSigned: boolean
}

/**
 * The offline checks of `verify` and `settle`: the payload's shape, the authorization against the
 * requirements and the clock (`checkExactAuthorization`), and ECDSA recovery; with the calldata
 * that settles it.
 * @internal
 * @throws {TollgateError} `invalid_payload` and the offline codes of `checkExactAuthorization`
 */
export async function prepareExact(runtime: ExactSchemeRuntime, input: ExactInput): Promise<PreparedExact> {
  const nowSeconds = Math.floor(runtime.now() / 1000)
  const payload = parseExactPayload(input.payload)
  const { token, digest } = checkExactAuthorization({
    payload,
    requirements: input.requirements,
    asset: input.asset,
    chainId: runtime.chainId,
    nowSeconds,
    clockSkewSeconds: runtime.clockSkewSeconds,
  })
  const eoaSigned = recoversTo(runtime, digest, payload.signature, payload.authorization.from)
  return { payload, token, digest, eoaSigned, transfer: encodeTransfer(payload, eoaSigned) }
}

// ECDSA recovery is the costliest offline step; `settle` repeats `verify`'s, so remember recent
// answers (keyed by the digest, which covers every signed field, and the signature).
function recoversTo(runtime: ExactSchemeRuntime, digest: Hex, signature: Hex, from: Address): boolean {
  const { recovered } = runtime
  const key = `${digest}:${signature}`
  const known = recovered.get(key)
  if (known !== undefined) return known
  const answer = runtime.isEcdsaSigner(digest, signature, from)
  recovered.set(key, answer)
  for (const oldest of recovered.keys()) {
    if (recovered.size <= MAX_KEPT_SIMULATIONS) break
    recovered.delete(oldest)
  }
  return answer
}
