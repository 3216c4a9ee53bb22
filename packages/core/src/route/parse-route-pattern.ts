import { quote, TollgateError } from '../errors/tollgate-error.js'

const MAX_PATTERN_LENGTH = 256
const METHOD = /^[A-Z][A-Z0-9_-]*$/
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// Characters `new URL().pathname` leaves unescaped, or a percent escape; no `*`, which only stands alone.
const LITERAL = /^(?:[A-Za-z0-9._~!$&'()+,;=:@-]|%[0-9A-Fa-f]{2})+$/
// Fetch upper-cases these methods whatever case they arrive in; others are case-sensitive.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/** One segment of a {@link RoutePattern} path. */
export type RouteSegment =
  | { readonly type: 'literal'; readonly value: string }
  | { readonly type: 'param'; readonly name: string }
  | { readonly type: 'wildcard' }
  | { readonly type: 'rest' }

/** A compiled route pattern such as `GET /weather/:city`. */
export type RoutePattern = {
  /** The pattern as written. */
  readonly pattern: string
  /** The upper-case method the pattern requires, or `*` for any method. */
  readonly method: string
  /** The path part, starting with `/`. */
  readonly path: string
  /** The path split into segments; a `rest` segment can only come last. */
  readonly segments: readonly RouteSegment[]
  /**
   * Matches a request method and a percent-encoded pathname (as `new URL(url).pathname` gives it).
   * Returns the decoded `:name` parameters, or undefined when the request does not match.
   */
  match(method: string, pathname: string): Record<string, string> | undefined
}

/**
 * Compiles a route pattern: `"<METHOD> <path>"` or `"<path>"` for any method.
 *
 * Path segments are literals (compared case-insensitively with the percent-encoded pathname, so
 * a path that Express's default routing would serve in another case is still priced), `:name`
 * (one non-empty segment, captured and percent-decoded), `*` (one non-empty segment) and a final `**`
 * (zero or more segments). A trailing slash is ignored, and `HEAD` requests match `GET` patterns.
 *
 * @example
 * parseRoutePattern('GET /weather/:city').match('GET', '/weather/paris') // { city: 'paris' }
 * @example
 * parseRoutePattern('/files/**').match('POST', '/files/a/b') // {}
 * @throws {TollgateError} `config_invalid` for an empty or malformed pattern, a lower-case method,
 * a bad segment or a `**` that is not last
 */
export function parseRoutePattern(pattern: string): RoutePattern {
  // Pass scopes name the same few patterns on every request: compile each once.
  const cached = typeof pattern === 'string' ? compiled.get(pattern) : undefined
  if (cached !== undefined) return cached
  const result = compile(pattern)
  if (compiled.size >= MAX_CACHED_PATTERNS) compiled.delete(compiled.keys().next().value as string)
  compiled.set(pattern, result)
  return result
}

const MAX_CACHED_PATTERNS = 1024
const compiled = new Map<string, RoutePattern>()

function compile(pattern: string): RoutePattern {
  const invalid = (reason: string) =>
    new TollgateError('config_invalid', `Route pattern ${quote(pattern)} is invalid: ${reason}.`, {
      details: {
        pattern: typeof pattern === 'string' ? pattern.slice(0, MAX_PATTERN_LENGTH) : typeof pattern,
      },
    })
  if (typeof pattern !== 'string') throw invalid('expected a string such as "GET /weather/:city"')
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw invalid(`it must have 1 to ${MAX_PATTERN_LENGTH} characters`)
  }
  const parts = pattern.split(' ')
  if (parts.length > 2) throw invalid('expected "<METHOD> <path>" with a single space')
  const method = parts.length === 2 ? parts[0]! : '*'
  const path = parts.at(-1)!
  if (method !== '*' && !METHOD.test(method)) {
    throw invalid(`the method ${quote(method)} must be an upper-case HTTP method or "*"`)
  }
  if (!path.startsWith('/')) throw invalid('the path must start with "/"')
  if (path.includes('//')) throw invalid('the path has an empty segment ("//")')

  const segments = parseSegments(path, invalid)

  // Most patterns are all literals: those match by one string comparison, with no splitting.
  const literalPath = segments.every((segment) => segment.type === 'literal')
    ? `/${segments.map((segment) => (segment as { value: string }).value.toLowerCase()).join('/')}`
    : undefined
  const literalSlashed = `${literalPath}/`
  return Object.freeze({
    pattern,
    method,
    path,
    segments: Object.freeze(segments),
    match: (requestMethod: string, pathname: string) => {
      if (requestMethod !== method && !methodMatches(method, requestMethod)) return undefined
      if (literalPath === undefined) return matchSegments(segments, pathname)
      if (typeof pathname !== 'string') return undefined
      // The path as the pattern spells it, the usual case, needs no lower-casing.
      if (pathname === literalPath) return {}
      const path = pathname.toLowerCase()
      return path === literalPath || path === literalSlashed ? {} : undefined
    },
  })
}

/** Parses a pattern path's segments, throwing `invalid(reason)` on the first bad one. */
function parseSegments(path: string, invalid: (reason: string) => TollgateError): RouteSegment[] {
  const segments: RouteSegment[] = []
  const names = new Set<string>()
  const texts = pathSegments(path)
  for (const [index, text] of texts.entries()) {
    if (text === '**') {
      if (index !== texts.length - 1) throw invalid('"**" may only be the last segment')
      segments.push({ type: 'rest' })
    } else if (text === '*') {
      segments.push({ type: 'wildcard' })
    } else if (text.startsWith(':')) {
      segments.push(parseParam(text, names, invalid))
    } else {
      // `new URL()` resolves dot segments and escapes other characters, so such literals never match.
      if (text === '.' || text === '..' || !LITERAL.test(text)) {
        throw invalid(`the segment ${quote(text)} is not a literal, ":name", "*" or "**"`)
      }
      segments.push({ type: 'literal', value: text })
    }
  }
  return segments
}

/** Parses a ":name" segment, recording its name in `names` to reject duplicates. */
function parseParam(
  text: string,
  names: Set<string>,
  invalid: (reason: string) => TollgateError,
): RouteSegment {
  const name = text.slice(1)
  if (!PARAM_NAME.test(name)) throw invalid(`the parameter ${quote(text)} needs a name like ":city"`)
  if (names.has(name)) throw invalid(`the parameter ":${name}" appears twice`)
  names.add(name)
  return { type: 'param', name }
}

// The root is no segments; one trailing slash is dropped; an empty segment ("//") stays empty.
function pathSegments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed === '/' ? [] : trimmed.slice(1).split('/')
}

function methodMatches(patternMethod: string, requestMethod: string): boolean {
  if (patternMethod === '*') return true
  if (typeof requestMethod !== 'string') return false
  const upper = requestMethod.toUpperCase()
  const method = NORMALIZED_METHODS.has(upper) ? upper : requestMethod
  return method === patternMethod || (patternMethod === 'GET' && method === 'HEAD')
}

function matchSegments(
  segments: readonly RouteSegment[],
  pathname: string,
): Record<string, string> | undefined {
  if (typeof pathname !== 'string' || !pathname.startsWith('/')) return undefined
  const parts = pathSegments(pathname)
  const params: [string, string][] = []
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as RouteSegment
    if (segment.type === 'rest') return Object.fromEntries(params)
    const part = parts[index]
    if (part === undefined || part.length === 0) return undefined
    if (segment.type === 'literal' && part.toLowerCase() !== segment.value.toLowerCase()) return undefined
    if (segment.type === 'param') {
      const value = decodeSegment(part)
      if (value === undefined) return undefined
      params.push([segment.name, value])
    }
  }
  // fromEntries defines own properties, so a parameter named "__proto__" cannot touch the prototype.
  return parts.length === segments.length ? Object.fromEntries(params) : undefined
}

function decodeSegment(part: string): string | undefined {
  try {
    return decodeURIComponent(part)
  } catch {
    return undefined
  }
}
