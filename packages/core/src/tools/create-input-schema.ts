import { type ZodObject, type ZodType, z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import type { PaidEndpoint, PaidEndpointParameter } from './types.js'

/**
 * Turns a tool's `params` into a strict zod object schema, so unknown parameters are refused.
 *
 * @example
 * createInputSchema({ ticker: { type: 'string' }, limit: { type: 'integer', optional: true } })
 * // z.strictObject({ ticker: z.string(), limit: z.number().int().optional() })
 * @throws {TollgateError} `config_invalid` for an unknown parameter type
 */
export function createInputSchema(params: PaidEndpoint['params']): ZodObject {
  if (isZodObject(params)) return params.strict()
  const shape: Record<string, ZodType> = {}
  for (const [name, parameter] of Object.entries(params)) {
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

function isZodObject(value: unknown): value is ZodObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ZodObject).safeParse === 'function' &&
    typeof (value as ZodObject).strict === 'function'
  )
}
