import { TollgateError } from '../errors/tollgate-error.js'

/** One challenge of a `WWW-Authenticate` field, any scheme. */
export type AuthChallenge = {
  /** The auth scheme as written, such as `Payment` or `Bearer`. */
  scheme: string
  /** The token68 form (`Basic abc==`), when the challenge uses it instead of parameters. */
  token68?: string
  /** The auth-params, names lowercased, quoted-string values unescaped. */
  params: Record<string, string>
  /** Parameter names that appeared more than once (RFC 9110 forbids it); the first value is kept. */
  duplicates: string[]
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/

/**
 * Parses one `WWW-Authenticate` field value into its challenges (RFC 9110 section 11): several
 * challenges in one value, any scheme, token68 or auth-params, `token` or quoted-string values
 * with backslash escapes, empty list elements. It does not judge the parameters.
 *
 * @example
 * parseAuthChallenges('Bearer realm="a", Payment id="x", method=evm')
 * // [{ scheme: 'Bearer', params: { realm: 'a' }, duplicates: [] },
 * //  { scheme: 'Payment', params: { id: 'x', method: 'evm' }, duplicates: [] }]
 * @throws {TollgateError} `mpp_challenge_malformed` when the value does not follow the grammar
 */
export function parseAuthChallenges(value: string): AuthChallenge[] {
  const cursor = { text: value, at: 0 }
  const challenges: AuthChallenge[] = []
  for (;;) {
    skip(cursor, ' \t,')
    if (cursor.at >= value.length) return challenges
    const scheme = readToken(cursor)
    if (scheme === '') fail(cursor, 'an auth scheme')
    const challenge: AuthChallenge = { scheme, params: Object.create(null), duplicates: [] }
    challenges.push(challenge)
    if (cursor.at < value.length && !' \t,'.includes(value[cursor.at]!))
      fail(cursor, 'a space after the scheme')
    skip(cursor, ' \t')
    if (readToken68(cursor, challenge)) continue
    readParams(cursor, challenge)
  }
}

/** Reads `token68` when the rest of the list element is exactly one. */
function readToken68(cursor: Cursor, challenge: AuthChallenge): boolean {
  const match = TOKEN68.exec(cursor.text.slice(cursor.at))
  if (!match) return false
  let end = cursor.at + match[0].length
  while (end < cursor.text.length && ' \t'.includes(cursor.text[end]!)) end++
  if (end < cursor.text.length && cursor.text[end] !== ',') return false
  challenge.token68 = match[0]
  cursor.at = end
  return true
}

/** Reads auth-params until the list ends or the next element starts another challenge. */
function readParams(cursor: Cursor, challenge: AuthChallenge): void {
  for (;;) {
    skip(cursor, ' \t,')
    if (cursor.at >= cursor.text.length) return
    const start = cursor.at
    const name = readToken(cursor)
    if (name === '') fail(cursor, 'a parameter name')
    skip(cursor, ' \t')
    if (cursor.text[cursor.at] !== '=') {
      // A token not followed by "=" is the scheme of the next challenge.
      cursor.at = start
      return
    }
    cursor.at++
    skip(cursor, ' \t')
    const value = cursor.text[cursor.at] === '"' ? readQuoted(cursor) : readToken(cursor)
    if (value === '' && cursor.text[cursor.at - 1] !== '"') fail(cursor, 'a parameter value')
    const key = name.toLowerCase()
    if (key in challenge.params) challenge.duplicates.push(key)
    else challenge.params[key] = value
    skip(cursor, ' \t')
    if (cursor.at < cursor.text.length && cursor.text[cursor.at] !== ',') fail(cursor, 'a comma')
  }
}

type Cursor = { text: string; at: number }

function skip(cursor: Cursor, characters: string): void {
  while (cursor.at < cursor.text.length && characters.includes(cursor.text[cursor.at]!)) cursor.at++
}

function readToken(cursor: Cursor): string {
  const start = cursor.at
  while (cursor.at < cursor.text.length && TCHAR.test(cursor.text[cursor.at]!)) cursor.at++
  return cursor.text.slice(start, cursor.at)
}

/** Reads a quoted-string at the cursor (on its opening quote) and returns it unescaped. */
function readQuoted(cursor: Cursor): string {
  let out = ''
  cursor.at++
  while (cursor.at < cursor.text.length) {
    let code = cursor.text.charCodeAt(cursor.at)
    if (code === 0x22) {
      cursor.at++
      return out
    }
    if (code === 0x5c) {
      cursor.at++
      code = cursor.text.charCodeAt(cursor.at)
      if (!(code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff))) {
        fail(cursor, 'an escapable character after a backslash')
      }
    } else if (!(code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff))) {
      fail(cursor, 'a printable character in a quoted string')
    }
    out += cursor.text[cursor.at]
    cursor.at++
  }
  return fail(cursor, 'a closing quote')
}

function fail(cursor: Cursor, expected: string): never {
  throw new TollgateError(
    'mpp_challenge_malformed',
    `The WWW-Authenticate header is malformed: expected ${expected} at character ${cursor.at}.`,
    { details: { position: cursor.at, expected } },
  )
}
