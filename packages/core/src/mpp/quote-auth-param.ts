import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * Writes a value as an RFC 9110 quoted-string: `"` and `\` escaped with a backslash. Only tab and
 * printable ASCII are accepted, so the header stays a plain ASCII line.
 *
 * @example quoteAuthParam('say "hi"') // '"say \\"hi\\""'
 * @throws {TollgateError} `config_invalid` for a control character or a character outside ASCII
 */
export function quoteAuthParam(value: string): string {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (!(code === 0x09 || (code >= 0x20 && code <= 0x7e))) {
      throw new TollgateError(
        'config_invalid',
        `The challenge parameter ${quote(value)} has a character that is not printable ASCII.`,
        { details: { position: index } },
      )
    }
  }
  return `"${value.replace(/["\\]/g, (character) => `\\${character}`)}"`
}
