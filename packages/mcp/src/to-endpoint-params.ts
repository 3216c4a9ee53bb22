import type { ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js'
import { type PaidEndpoint, TollgateError } from '@tollgate/core'
import { z as z3 } from 'zod/v3'
import { z as z4 } from 'zod/v4'

/**
 * A tool's parameters: what core takes (a zod object, or a map of `PaidEndpointParameter`), or a
 * zod raw shape (`{ q: z.string() }`) as `registerTool` takes it.
 */
export type PaidToolParams = PaidEndpoint['params'] | ZodRawShapeCompat

const isZod = (value: unknown): value is object =>
  typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function'

/**
 * Turns a raw zod shape into a zod object of the shape's own zod version (core makes it strict);
 * core's forms pass through.
 * @internal
 * @example toEndpointParams({ q: z.string() }) // z.object({ q: z.string() })
 * @throws {TollgateError} `config_invalid` for a map mixing zod schemas with plain specs, or zod 3 with zod 4
 */
export function toEndpointParams(params: PaidToolParams = {}): PaidEndpoint['params'] {
  const values = Object.values(params)
  if (isZod(params) || !values.some(isZod)) return params as PaidEndpoint['params']
  const zod4 = values.filter((value) => isZod(value) && '_zod' in value).length
  const zod3 = values.filter((value) => isZod(value) && !('_zod' in value)).length
  if (zod4 === values.length) return z4.object(params as Record<string, z4.ZodType>)
  if (zod3 !== values.length) {
    throw new TollgateError(
      'config_invalid',
      `Parameters must be all zod 4 schemas, all zod 3 schemas or all plain specs; got ${JSON.stringify(Object.keys(params))}.`,
    )
  }
  // Core's checks and `registerTool` both work on zod 3 objects too; only the type says zod 4.
  return z3.object(params as Record<string, z3.ZodTypeAny>) as unknown as PaidEndpoint['params']
}
