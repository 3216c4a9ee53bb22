import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod/v3'
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
      `"config_invalid: Paid tool "stock_price": Parameter "ticker" has type "date"; use string, number, integer or boolean."`,
    )
  })

  test('behavior: params are optional; a tool without them takes no arguments', () => {
    const { params: _params, ...rest } = valid
    const compiled = compilePaidEndpoint({ ...rest, endpoint: 'https://api.example.com/price' })
    expect(compiled.schema.safeParse({}).success).toBe(true)
    expect(compiled.schema.safeParse({ ticker: 'AAPL' }).success).toBe(false)
  })

  test('behavior: raw zod shapes (zod 4 and zod 3), zod objects and plain specs alike', () => {
    const shapes: PaidEndpoint['params'][] = [
      { ticker: z.enum(['AAPL', 'MSFT']) },
      { ticker: z3.enum(['AAPL', 'MSFT']) },
      z.object({ ticker: z.enum(['AAPL', 'MSFT']) }),
      z3.object({ ticker: z3.enum(['AAPL', 'MSFT']) }) as unknown as PaidEndpoint['params'],
      { ticker: { type: 'string', enum: ['AAPL', 'MSFT'] } },
      { ticker: z.enum(['AAPL', 'MSFT']), limit: { type: 'integer', optional: true } },
    ]
    for (const params of shapes) {
      const { schema } = compilePaidEndpoint({ ...valid, params })
      expect(schema.safeParse({ ticker: 'AAPL' }).success).toBe(true)
      expect(schema.safeParse({ ticker: 'TSLA' }).success).toBe(false)
      expect(schema.safeParse({ ticker: 'AAPL', other: 1 }).success).toBe(false)
    }
  })

  test('error: malformed definitions are config_invalid, never a TypeError', () => {
    const broken = [
      null,
      'stock_price',
      { ...valid, endpoint: undefined },
      { ...valid, description: 42 },
      { ...valid, params: 5 },
      { ...valid, params: [] },
      { ...valid, params: { ticker: 'string' } },
      { ...valid, params: { ticker: z3.string(), limit: z.number() } },
      { ...valid, method: 'get', body: 'xml' },
      { ...valid, headers: 'x' },
    ]
    for (const definition of broken) {
      expect(codeAndMessage(definition as unknown as PaidEndpoint)).toMatch(/^config_invalid: /)
    }
    expect(codeAndMessage({ ...valid, params: 5 } as unknown as PaidEndpoint)).toMatchInlineSnapshot(
      `"config_invalid: Paid tool "stock_price": Parameters must be a zod object, a map of zod schemas or a map of parameter specs; got number."`,
    )
  })
})
