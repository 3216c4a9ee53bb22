import { quote, TollgateError } from '../errors/tollgate-error.js'

// Characters that make a pattern a URL, a host with a port, or a list, never a host name.
const NOT_A_HOST = /[\s/\\?#@:,]/

/**
 * Compiles a domain allowlist into a test on URLs. Patterns are exact host names
 * (`api.example.com`) or wildcard suffixes (`*.example.com`, which matches subdomains only, not
 * the apex). Hosts compare as WHATWG `URL` normalises them: lowercase, international names in
 * their ASCII (punycode) form, IPv4 in dotted decimal; one trailing dot is ignored and so are ports.
 *
 * @example
 * const allowed = createDomainMatcher(['api.example.com', '*.example.org'])
 * allowed('https://API.example.com:8443/x') // true
 * allowed('https://example.org/') // false
 * @throws {TollgateError} `config_invalid` for a pattern that is not a host name or `*.` suffix
 * @internal
 */
export function createDomainMatcher(patterns: readonly string[]): (url: string) => boolean {
  if (!Array.isArray(patterns)) {
    throw new TollgateError('config_invalid', '`allowedDomains` must be an array of host names.')
  }
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const pattern of patterns) {
    const wildcard = typeof pattern === 'string' && pattern.startsWith('*.')
    const host = normalizePattern(wildcard ? pattern.slice(2) : pattern, pattern)
    if (wildcard) suffixes.push(`.${host}`)
    else exact.add(host)
  }
  return (url) => {
    const host = hostOf(url)
    if (host === undefined) return false
    // A suffix starts with a dot, so `evil-example.com` never matches `*.example.com`.
    return exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix))
  }
}

function normalizePattern(host: unknown, pattern: unknown): string {
  const invalid = (reason: string) =>
    new TollgateError('config_invalid', `Allowed domain ${quote(pattern)} ${reason}.`, {
      details: { pattern: typeof pattern === 'string' ? pattern.slice(0, 80) : typeof pattern },
    })
  if (typeof host !== 'string' || host.length === 0 || host.length > 253) {
    throw invalid('must be a host name of 1 to 253 characters')
  }
  if (host.includes('*')) throw invalid('may only use a wildcard as a leading "*."')
  // IPv6 literals are bracketed and contain colons; anything else with a colon carries a port.
  if (!host.startsWith('[') && NOT_A_HOST.test(host)) {
    throw invalid('must be a bare host name: no scheme, port, path or blanks (ports are ignored)')
  }
  const normalized = hostOf(`http://${host}/`)
  if (normalized === undefined) throw invalid('is not a valid host name')
  return normalized
}

// undefined for anything without a host, so a malformed URL is never allowed.
function hostOf(url: string): string | undefined {
  let hostname: string
  try {
    hostname = new URL(url).hostname
  } catch {
    return undefined
  }
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname
  // Empty labels (".example.com", "a..example.com") are not DNS names and must not match a suffix.
  return host.length === 0 || host.startsWith('.') || host.includes('..') ? undefined : host
}
