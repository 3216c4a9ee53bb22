import type { RequestHandler } from 'express'

const TOPICS = ['payments', 'agents', 'latency', 'receipts', 'budgets'] as const

/**
 * The handler of `GET /api/search-like`, identical on every server of the benchmark: a small JSON
 * answer (about 600 bytes) computed from `?q=` without I/O, so the rows differ only by what sits in
 * front of it.
 *
 * @example app.get('/api/search-like', searchLikeHandler)
 */
export const searchLikeHandler: RequestHandler = (request, response) => {
  response.json(searchLikeBody(typeof request.query.q === 'string' ? request.query.q : ''))
}

/**
 * The answer of `GET /api/search-like` for the query `q`, whatever the framework serving it.
 *
 * @example searchLikeBody('bench').results.length // 5
 */
export function searchLikeBody(q: string) {
  const query = q.slice(0, 100)
  return {
    query,
    results: TOPICS.map((topic, index) => ({
      rank: index + 1,
      title: `${query || 'Everything'} and ${topic}`,
      url: `https://example.com/${encodeURIComponent(query)}/${topic}`,
      score: Math.round((1 - index * 0.15) * 1000) / 1000,
    })),
  }
}
