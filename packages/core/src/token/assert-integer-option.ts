import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * Throws unless an option is a safe integer within `minimum..maximum`.
 *
 * @example assertIntegerOption('ttlSeconds', 300, 1, 86_400)
 * @throws {TollgateError} `config_invalid`
 * @internal
 */
export function assertIntegerOption(name: string, value: unknown, minimum: number, maximum: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < minimum || (value as number) > maximum) {
    throw new TollgateError(
      'config_invalid',
      `\`${name}\` must be an integer from ${minimum} to ${maximum}, got ${quote(value)}.`,
      { details: { option: name, value: typeof value === 'number' ? value : typeof value } },
    )
  }
}
