/**
 * Sums up what a paid tool returned in one line, for the demo's "got" lines: the number of search
 * results and the top one, the pass and its expiry, the post's id, the identity verdict, the
 * contract's id and digest. Unknown shapes fall back to shortened JSON.
 *
 * @example summarizeData('web_search', { query: 'x', results: [{ title: 'x and payments', url: 'https://example.com/x' }] })
 * // '1 result; top: "x and payments" (example.com)'
 */
export function summarizeData(tool: string, data: unknown): string {
  const value = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
  switch (tool) {
    case 'search':
    case 'web_search': {
      const results = Array.isArray(value.results) ? (value.results as Record<string, unknown>[]) : []
      const top = results[0]
      if (top === undefined) return 'no results'
      const count = `${results.length} result${results.length === 1 ? '' : 's'}`
      return `${count}; top: "${String(top.title)}" (${hostOf(top.url)})`
    }
    case 'buy_search_pass': {
      const pass = (value.pass ?? {}) as { expiresAt?: unknown; scope?: { routes?: unknown } }
      const routes = Array.isArray(pass.scope?.routes) ? pass.scope.routes.join(', ') : 'the scoped routes'
      const until = typeof pass.expiresAt === 'number' ? formatUnixTime(pass.expiresAt) : 'its expiry'
      return `a pass for ${routes}, valid until ${until}`
    }
    case 'publish_post':
      return `post ${String(value.id)} published, author ${shortenAddress(String(value.author))}`
    case 'verify_identity': {
      const subject = (value.subject ?? {}) as { name?: unknown; country?: unknown }
      return `${String(value.status)}: ${String(subject.name)} (${String(subject.country)}), score ${String(value.score)}, check ${String(value.id)}`
    }
    case 'issue_contract': {
      const clauses = Array.isArray(value.clauses) ? value.clauses.length : 0
      return `contract ${String(value.id)} "${String(value.title)}", ${clauses} clauses, sha256 ${String(value.sha256).slice(0, 12)}…`
    }
    default:
      return shorten(JSON.stringify(data) ?? String(data), 160)
  }
}

/** `0x1234…abcd` for an address or hash; other text unchanged. */
export function shortenAddress(text: string): string {
  return /^0x[0-9a-fA-F]{16,}$/.test(text) ? `${text.slice(0, 6)}…${text.slice(-4)}` : text
}

/** Cuts `text` to `max` characters, ending with "…" when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
}

/** Unix seconds as `2026-11-22 21:04 UTC`. */
export function formatUnixTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

function hostOf(url: unknown): string {
  try {
    return new URL(String(url)).host
  } catch {
    return String(url)
  }
}
