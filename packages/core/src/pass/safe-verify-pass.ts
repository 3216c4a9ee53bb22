import { type TollgateError, toTollgateError } from '../errors/tollgate-error.js'
import type { PassPayload } from './pass-payload.js'
import { type VerifyPassOptions, verifyPass } from './verify-pass.js'

/** Result of {@link safeVerifyPass}: the pass, or why it was rejected. */
export type SafeVerifyPassResult =
  | { success: true; data: PassPayload }
  | { success: false; error: TollgateError }

/**
 * Verifies a pass like {@link verifyPass} but returns failures as values instead of throwing.
 *
 * @example
 * const result = await safeVerifyPass(token, { keyring, request })
 * if (!result.success) return errorResponse(result.error.code)
 * @throws never; every failure, including `config_invalid`, is returned as `{ success: false, error }`
 */
export async function safeVerifyPass(
  token: string,
  options: VerifyPassOptions,
): Promise<SafeVerifyPassResult> {
  try {
    return { success: true, data: await verifyPass(token, options) }
  } catch (error) {
    return { success: false, error: toTollgateError(error) }
  }
}
