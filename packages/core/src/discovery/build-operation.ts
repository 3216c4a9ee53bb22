import type { OpenApiPath } from './to-openapi-path.js'
import type { JsonSchema, PaymentInfoOffer, RouteDiscovery } from './types.js'

/** What one OpenAPI operation is built from. @internal */
export type OperationInput = {
  at: OpenApiPath
  description?: string | undefined
  mimeType?: string | undefined
  discovery?: RouteDiscovery | undefined
  /** `x-payment-info` for a priced route; absent for a free one. */
  paymentInfo?: { offers: PaymentInfoOffer[] } | undefined
}

/** Methods whose input travels in the body; the others take query parameters. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Builds one OpenAPI 3.1 operation: summary, parameters or request body, responses (with a `402`
 * for a priced route) and MPP discovery's `x-payment-info`.
 * @internal
 */
export function buildOperation(input: OperationInput): Record<string, unknown> {
  const { at, discovery } = input
  const summary = discovery?.summary ?? input.description
  const body = BODY_METHODS.has(at.method.toUpperCase())
  const parameters = [
    ...at.params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(body ? [] : queryParameters(discovery?.input?.schema)),
  ]
  const inputSchema = discovery?.input?.schema
  return {
    ...(summary === undefined ? {} : { summary }),
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body && inputSchema !== undefined
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: inputSchema, ...example(discovery?.input?.example) } },
          },
        }
      : {}),
    responses: {
      '200': successResponse(input),
      ...(input.paymentInfo === undefined ? {} : { '402': PAYMENT_REQUIRED }),
    },
    ...(input.paymentInfo === undefined ? {} : { 'x-payment-info': input.paymentInfo }),
  }
}

const PAYMENT_REQUIRED = {
  description:
    'Payment Required: the x402 v2 requirements, authoritative over this document, in the PAYMENT-REQUIRED header.',
  headers: {
    'PAYMENT-REQUIRED': {
      description: 'Base64 JSON of the x402 v2 PaymentRequired object.',
      schema: { type: 'string' },
    },
  },
}

function successResponse(input: OperationInput): Record<string, unknown> {
  const output = input.discovery?.output
  if (output?.schema === undefined && output?.example === undefined)
    return { description: 'Successful response' }
  return {
    description: 'Successful response',
    content: {
      [input.mimeType ?? 'application/json']: {
        ...(output.schema === undefined ? {} : { schema: output.schema }),
        ...example(output.example),
      },
    },
  }
}

function example(value: unknown): { example?: unknown } {
  return value === undefined ? {} : { example: value }
}

function queryParameters(schema: JsonSchema | undefined): Record<string, unknown>[] {
  const properties = schema?.properties
  if (typeof properties !== 'object' || properties === null) return []
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : []
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema: property,
  }))
}
