import { quote, TollgateError } from '../errors/tollgate-error.js'

/**
 * Reads an http(s) URL option down to its origin (`publicUrl`, a discovery `origin`).
 * @internal
 * @throws {TollgateError} `config_invalid` when `value` is not an http(s) URL
 */
export function parsePublicUrl(value: unknown, name = 'publicUrl'): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TollgateError('config_invalid', `${name} ${quote(value)} is not an http(s) URL.`)
  }
  return url.origin
}
