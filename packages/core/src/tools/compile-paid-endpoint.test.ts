import { describe, expect, test } from 'vitest'
import { compilePaidEndpoint } from './compile-paid-endpoint.js'
import type { PaidEndpoint } from './types.js'

const valid: PaidEndpoint = {
  name: 'stock_price',
  description: 'Latest price',
  endpoint: 'https://api.example.com/price/{ticker}',
  params: { ticker: { type: 'string', enum: ['AAPL', 'MSFT'] }, limit: { type: 'integer', optional: true } },
  maxPrice: '$0.60',
}

function codeAndMessage(tool: PaidEndpoint): unknown {
  try {
    compilePaidEndpoint(tool)
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`
  }
  return 'no error'
}

describe('compilePaidEndpoint', () => {
  test('default: a strict schema, the path parameters and the price in the description', () => {
    const compiled = compilePaidEndpoint(valid)
    expect(compiled.method).toBe('GET')
    expect([...compiled.pathParams]).toEqual(['ticker'])
    expect(compiled.description).toBe('Latest price (Paid: up to $0.60 per call.)')
    expect(compiled.schema.safeParse({ ticker: 'AAPL', limit: 3 }).success).toBe(true)
    expect(compiled.schema.safeParse({ ticker: 'AAPL', other: 1 }).success).toBe(false)
    expect(compiled.schema.safeParse({ ticker: 'TSLA' }).success).toBe(false)
    expect(compiled.schema.safeParse({ ticker: 'AAPL', limit: 1.5 }).success).toBe(false)
  })

  test('error: invalid definitions fail at setup with config_invalid', () => {
    expect(codeAndMessage({ ...valid, name: 'stock price' })).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock price": names are 1 to 64 letters, digits, "_" or "-"."`,
    )
    expect(codeAndMessage({ ...valid, endpoint: 'https://api.example.com/{symbol}' })).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock_price": the endpoint placeholder {symbol} must be a required parameter."`,
    )
    expect(
      codeAndMessage({ ...valid, params: { ticker: { type: 'string', optional: true } } }),
    ).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock_price": the endpoint placeholder {ticker} must be a required parameter."`,
    )
    expect(codeAndMessage({ ...valid, endpoint: 'ftp://api.example.com/{ticker}' })).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock_price": the endpoint must be an http or https URL."`,
    )
    expect(codeAndMessage({ ...valid, body: 'json' })).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock_price": a GET request cannot have a body."`,
    )
    expect(
      codeAndMessage({ ...valid, params: { ticker: { type: 'date' } } } as unknown as PaidEndpoint),
    ).toMatchInlineSnapshot(
      `"config_invalid: Parameter "ticker" has type "date"; use string, number, integer or boolean."`,
    )
  })
})
