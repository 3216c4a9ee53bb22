import { compilePaidEndpoint, TollgateError } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { z as z3 } from 'zod/v3'
import { z as z4 } from 'zod/v4'
import { type PaidToolParams, toEndpointParams } from './to-endpoint-params.js'

const compile = (params: PaidToolParams) =>
  compilePaidEndpoint({
    name: 'price',
    description: 'Quote',
    endpoint: 'https://api.example.com/price/{ticker}',
    params: toEndpointParams(params),
  }).schema

describe('toEndpointParams', () => {
  test("default: core's plain specs and zod objects pass through; no params is an empty map", () => {
    const specs = { ticker: { type: 'string' } } as const
    expect(toEndpointParams(specs)).toBe(specs)
    const object = z4.object({ ticker: z4.string() })
    expect(toEndpointParams(object)).toBe(object)
    expect(toEndpointParams()).toEqual({})
  })

  test('behavior: zod 4 and zod 3 raw shapes are wrapped by their own version, and core makes them strict', () => {
    for (const shape of [{ ticker: z4.string() }, { ticker: z3.string() }]) {
      const schema = compile(shape)
      expect(schema.safeParse({ ticker: 'BTC' }).success).toBe(true)
      expect(schema.safeParse({ ticker: 'BTC', limit: 3 }).success).toBe(false)
      expect(schema.safeParse({}).success).toBe(false)
    }
  })

  test('error: a map mixing zod schemas with plain specs, or zod 3 with zod 4, is config_invalid', () => {
    for (const params of [
      { ticker: { type: 'string' }, limit: z4.number() },
      { ticker: z3.string(), limit: z4.number() },
    ] as PaidToolParams[]) {
      const error = (() => {
        try {
          return toEndpointParams(params)
        } catch (caught) {
          return caught
        }
      })()
      expect(TollgateError.is(error) && error.code).toBe('config_invalid')
    }
  })
})
