import { TollgateError } from '../errors/tollgate-error.js'

const MAX_FIELD = 1024

/**
 * Reads a payload field that must be a non-empty string of bounded length.
 * @internal
 * @throws {TollgateError} `invalid_payload`
 */
export function boundedString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD) {
    throw new TollgateError(
      'invalid_payload',
      `The payload's ${field} must be a string of 1 to ${MAX_FIELD} characters.`,
      { details: { field } },
    )
  }
  return value
}
