import { TollgateError } from '../errors/tollgate-error.js'

const MAX_CLAIM_VALUE_LENGTH = 65_536

/**
 * Checks a claim value for `Store.claim` and `Store.commit`: a string of at most
 * 65,536 characters, `""` when not given. Stores call it so every store refuses the same input.
 *
 * @example const value = assertClaimValue(options.value) // '' when undefined
 * @throws {TollgateError} `config_invalid` when the value is not a string or is too long
 */
export function assertClaimValue(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || value.length > MAX_CLAIM_VALUE_LENGTH) {
    throw new TollgateError(
      'config_invalid',
      `A claim value must be a string of at most ${MAX_CLAIM_VALUE_LENGTH} characters.`,
    )
  }
  return value
}
