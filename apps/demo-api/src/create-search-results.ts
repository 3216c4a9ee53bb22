import { createHash } from 'node:crypto'

/** One fake search hit. */
export type SearchResult = {
  /** Position in the results, from 1. */
  rank: number
  title: string
  url: string
  snippet: string
  /** Relevance between 0 and 1. */
  score: number
}

/** The answer of `GET /api/search`. */
export type SearchResults = {
  query: string
  results: SearchResult[]
}

const TOPICS = [
  'payments',
  'agents',
  'protocols',
  'stablecoins',
  'latency',
  'caching',
  'pricing',
  'receipts',
  'wallets',
  'budgets',
  'settlement',
  'gateways',
] as const
const SITES = [
  'example.com',
  'docs.example.org',
  'news.example.net',
  'wiki.example.io',
  'blog.example.dev',
] as const
const RESULT_COUNT = 5

/**
 * Makes deterministic fake search results for a query: the same query always gives the same
 * results, and different queries give different ones. No network, no index.
 *
 * @example createSearchResults('x402').results[0] // { rank: 1, title: 'x402 and receipts', url: … }
 */
export function createSearchResults(query: string): SearchResults {
  const digest = createHash('sha256').update(query).digest()
  const subject = query.trim() === '' ? 'Everything' : query.trim().slice(0, 80)
  const results: SearchResult[] = []
  for (let index = 0; index < RESULT_COUNT; index++) {
    const topic = TOPICS[digest[index]! % TOPICS.length]!
    const site = SITES[digest[index + RESULT_COUNT]! % SITES.length]!
    const slug = `${subject}-${topic}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
    results.push({
      rank: index + 1,
      title: `${subject} and ${topic}`,
      url: `https://${site}/${slug}`,
      snippet: `What ${subject} means for ${topic}: a short, entirely made-up summary (result ${index + 1}).`,
      score: Math.round((1 - index * 0.15 - digest[index + 10]! / 2550) * 1000) / 1000,
    })
  }
  return { query, results }
}
