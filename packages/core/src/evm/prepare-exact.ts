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
  /**
   * `checked`: `eoaSigned` comes from ECDSA recovery (or a recent answer). `assumed`: not checked
   * yet, taken as the payer's ECDSA signature; the token's own check in the simulation decides.
   */
  signer: 'checked' | 'assumed'
}

/**
 * The offline checks of `verify` and `settle`: the payload's shape, the authorization against the
 * requirements and the clock (`checkExactAuthorization`), and ECDSA recovery; with the calldata
 * that settles it.
 * @internal
 * @throws {TollgateError} `invalid_payload` and the offline codes of `checkExactAuthorization`
 */
export async function prepareExact(
  runtime: ExactSchemeRuntime,
  input: ExactInput,
  options: { assumeEcdsa?: boolean } = {},
): Promise<PreparedExact> {
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
  const { signature, authorization } = payload
  const known = runtime.recovered.get(`${digest}:${signature}`)
  // Recovery is the costliest step of all `verify` does in this process; a simulation that runs
  // the token's own check of the signature can stand in for it.
  if (known === undefined && options.assumeEcdsa === true && ecdsaShaped(signature)) {
    return {
      payload,
      token,
      digest,
      eoaSigned: true,
      signer: 'assumed',
      transfer: encodeTransfer(payload, true),
    }
  }
  const eoaSigned = known ?? recoversTo(runtime, digest, signature, authorization.from)
  return {
    payload,
    token,
    digest,
    eoaSigned,
    signer: 'checked',
    transfer: encodeTransfer(payload, eoaSigned),
  }
}

// 65 bytes with a `v` an ECDSA signature can have: what a token checks with `ecrecover`.
function ecdsaShaped(signature: Hex): boolean {
  if (signature.length !== 132) return false
  const v = Number.parseInt(signature.slice(130), 16)
  return v === 0 || v === 1 || v === 27 || v === 28
}

/** Keeps an answer of whether a signature is the payer's ECDSA signature, for `settle`. @internal */
export function rememberEcdsa(
  runtime: ExactSchemeRuntime,
  digest: Hex,
  signature: Hex,
  answer: boolean,
): void {
  const { recovered } = runtime
  recovered.set(`${digest}:${signature}`, answer)
  for (const oldest of recovered.keys()) {
    if (recovered.size <= MAX_KEPT_SIMULATIONS) break
    recovered.delete(oldest)
  }
}

// ECDSA recovery is the costliest offline step; `settle` repeats `verify`'s, so remember recent
// answers (keyed by the digest, which covers every signed field, and the signature).
function recoversTo(runtime: ExactSchemeRuntime, digest: Hex, signature: Hex, from: Address): boolean {
  const answer = runtime.isEcdsaSigner(digest, signature, from)
  rememberEcdsa(runtime, digest, signature, answer)
  return answer
}
