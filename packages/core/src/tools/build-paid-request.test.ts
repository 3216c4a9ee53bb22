import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { buildPaidRequest } from './build-paid-request.js'
import { compilePaidEndpoint } from './compile-paid-endpoint.js'
import type { PaidEndpoint } from './types.js'

const priceTool: PaidEndpoint = {
  name: 'stock_price',
  description: 'Latest price',
  endpoint: 'https://api.example.com/price/{ticker}?source=main',
  params: { ticker: { type: 'string' }, currency: { type: 'string', optional: true } },
}

function build(tool: PaidEndpoint, params: Record<string, unknown>) {
  const result = buildPaidRequest(compilePaidEndpoint(tool), params)
  if (!result.ok) return result
  const headers = Object.fromEntries(new Headers(result.init.headers).entries())
  return { url: result.url, method: result.init.method, headers, body: result.init.body }
}

describe('buildPaidRequest', () => {
  test('default: path parameters in the path, the rest in the query string', () => {
    expect(build(priceTool, { ticker: 'AAPL', currency: 'EUR' })).toMatchInlineSnapshot(`
      {
        "body": undefined,
        "headers": {
          "accept": "application/json, text/plain;q=0.9, */*;q=0.8",
        },
        "method": "GET",
        "url": "https://api.example.com/price/AAPL?source=main&currency=EUR",
      }
    `)
  })

  test('behavior: path values are encoded into one segment', () => {
    expect(build(priceTool, { ticker: 'AAPL/../x?y=1#z' })).toMatchObject({
      url: 'https://api.example.com/price/AAPL%2F..%2Fx%3Fy%3D1%23z?source=main',
    })
  })

  test('behavior: POST sends the other parameters as a JSON body', () => {
    const tool: PaidEndpoint = {
      name: 'post',
      description: 'Post',
      endpoint: 'https://api.example.com/boards/{board}/posts',
      method: 'POST',
      params: z.object({ board: z.string(), title: z.string(), draft: z.boolean().optional() }),
      headers: { 'x-api-key': 'k' },
    }
    expect(build(tool, { board: 'news', title: 'Hi', draft: undefined })).toMatchObject({
      url: 'https://api.example.com/boards/news/posts',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: '{"title":"Hi"}',
    })
  })

  test('behavior: DELETE uses the query string unless body is "json"; a body function decides the body', () => {
    const base = {
      name: 'remove',
      description: 'Remove',
      endpoint: 'https://api.example.com/items/{id}',
      method: 'DELETE' as const,
      params: { id: { type: 'integer' as const }, reason: { type: 'string' as const } },
    }
    expect(build(base, { id: 7, reason: 'old' })).toMatchObject({
      url: 'https://api.example.com/items/7?reason=old',
      body: undefined,
    })
    expect(build({ ...base, body: 'json' }, { id: 7, reason: 'old' })).toMatchObject({
      url: 'https://api.example.com/items/7',
      body: '{"reason":"old"}',
    })
    expect(
      build({ ...base, body: (params) => ({ why: params.reason, all: params }) }, { id: 7, reason: 'old' }),
    ).toMatchObject({ body: '{"why":"old","all":{"id":7,"reason":"old"}}' })
  })

  test('error: dot segments and empty path values are refused', () => {
    for (const ticker of ['', '.', '..']) {
      expect(build(priceTool, { ticker })).toEqual({
        ok: false,
        issues: ['ticker: must not be empty, "." or ".."'],
      })
    }
  })
})
