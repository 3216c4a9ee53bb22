import type { Address } from 'viem'
import type { ExactInput } from '../scheme/types.js'
import { laneOf } from './exact-checks.js'
import type { ExactSchemeRuntime } from './exact-scheme-runtime.js'
import { type ExactPayload, parseExactPayload } from './parse-exact-payload.js'

/**
 * `abandon` of the `exact` scheme: frees what a verified authorization held, when it will not be
 * settled (the handler failed or the requester left). A malformed input holds nothing.
 * @internal
 */
export function abandonExact(runtime: ExactSchemeRuntime, input: ExactInput): void {
  if (!/^0x[0-9a-fA-F]{40}$/.test(input.requirements.asset)) return
  const parsed = safeParse(input)
  if (parsed === undefined) return
  runtime.lanes.abandon(
    laneOf(input.requirements.asset as Address, parsed.authorization.from),
    parsed.authorization.nonce,
  )
}

function safeParse(input: ExactInput): ExactPayload | undefined {
  try {
    return parseExactPayload(input.payload)
  } catch {
    return undefined
  }
}
