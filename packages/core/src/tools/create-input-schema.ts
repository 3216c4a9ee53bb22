import { type ZodObject, type ZodType, z } from 'zod'
import { z as z3 } from 'zod/v3'
import { TollgateError } from '../errors/tollgate-error.js'
import type { PaidEndpoint, PaidEndpointParameter, ZodSchemaLike } from './types.js'

/**
 * Turns a tool's `params` into a strict zod object schema, so unknown parameters are refused. It
 * takes a zod object (zod 3 or 4), a raw shape of zod schemas (`{ q: z.string() }`, as MCP's
 * `registerTool` takes it), a map of plain {@link PaidEndpointParameter} specs, a map mixing
 * plain specs with zod 4 schemas, or nothing (a tool without parameters).
 *
 * @example
 * createInputSchema({ ticker: { type: 'string' }, limit: { type: 'integer', optional: true } })
 * // z.strictObject({ ticker: z.string(), limit: z.number().int().optional() })
 * @throws {TollgateError} `config_invalid` for params that are not an object, an unknown parameter
 * type, or zod 3 schemas mixed with zod 4 schemas or plain specs
 */
export function createInputSchema(params: PaidEndpoint['params']): ZodObject {
  if (params === undefined) return z.strictObject({})
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TollgateError(
      'config_invalid',
      `Parameters must be a zod object, a map of zod schemas or a map of parameter specs; got ${describe(params)}.`,
    )
  }
  if (isZodObject(params)) return params.strict()
  const entries = Object.entries(params as Record<string, PaidEndpointParameter | ZodSchemaLike>)
  const zod3 = entries.filter(([, value]) => isZod(value) && !('_zod' in value)).length
  if (zod3 > 0) {
    if (zod3 !== entries.length) {
      throw new TollgateError(
        'config_invalid',
        `Parameters must not mix zod 3 schemas with zod 4 schemas or plain specs; got ${JSON.stringify(entries.map(([name]) => name))}.`,
      )
    }
    // Every check downstream works on zod 3 objects too; only the declared type says zod 4.
    return z3.object(params as Record<string, z3.ZodTypeAny>).strict() as unknown as ZodObject
  }
  const shape: Record<string, ZodType> = {}
  for (const [name, parameter] of entries) {
    if (isZod(parameter)) {
      shape[name] = parameter as unknown as ZodType
      continue
    }
    if (typeof parameter !== 'object' || parameter === null) {
      throw new TollgateError(
        'config_invalid',
        `Parameter "${name}" must be a zod schema or a spec such as { type: 'string' }; got ${describe(parameter)}.`,
      )
    }
    let schema = baseSchema(name, parameter)
    if (parameter.description !== undefined) schema = schema.describe(parameter.description)
    shape[name] = parameter.optional === true ? schema.optional() : schema
  }
  return z.strictObject(shape)
}

function baseSchema(name: string, parameter: PaidEndpointParameter): ZodType {
  switch (parameter.type) {
    case 'string':
      return parameter.enum === undefined ? z.string() : z.enum(parameter.enum)
    case 'number':
      return z.number()
    case 'integer':
      return z.number().int()
    case 'boolean':
      return z.boolean()
    default:
      throw new TollgateError(
        'config_invalid',
        `Parameter "${name}" has type ${JSON.stringify((parameter as { type?: unknown }).type)}; use string, number, integer or boolean.`,
      )
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  return value === null ? 'null' : typeof value
}

function isZod(value: unknown): value is ZodSchemaLike {
  return (
    typeof value === 'object' && value !== null && typeof (value as ZodSchemaLike).safeParse === 'function'
  )
}

function isZodObject(value: unknown): value is ZodObject {
  return isZod(value) && typeof (value as ZodObject).strict === 'function'
}
