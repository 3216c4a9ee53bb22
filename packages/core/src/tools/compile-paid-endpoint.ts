import type { ZodObject } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import { createInputSchema } from './create-input-schema.js'
import type { PaidEndpoint } from './types.js'

/** A {@link PaidEndpoint} checked once, ready to be called many times. */
export type CompiledPaidEndpoint = {
  tool: PaidEndpoint
  /** Strict input schema. */
  schema: ZodObject
  /** Upper-case HTTP method. */
  method: string
  /** Names of the `{name}` placeholders in the endpoint. */
  pathParams: ReadonlySet<string>
  /** Whether parameters outside the path go into a JSON body (else the query string). */
  jsonBody: boolean
  /** Description for the model, with the price ceiling when one is declared. */
  description: string
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/
const PLACEHOLDER = /\{([^{}]*)\}/g

/**
 * Checks a tool definition at setup, so mistakes surface there and not inside the agent loop.
 *
 * @example
 * const compiled = compilePaidEndpoint({ name: 'price', description: 'Quote', endpoint: 'https://api.example.com/price/{ticker}', params: { ticker: { type: 'string' } } })
 * compiled.pathParams // Set { 'ticker' }
 * @throws {TollgateError} `config_invalid` for a definition that is not an object, or a bad name,
 * description, endpoint, method, params, body, headers or placeholder
 */
export function compilePaidEndpoint(tool: PaidEndpoint): CompiledPaidEndpoint {
  checkIdentity(tool)
  const method = String(tool.method ?? 'GET').toUpperCase()
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
    throw invalid(`"${tool.name}" has method ${JSON.stringify(tool.method)}.`)
  }
  let schema: ZodObject
  try {
    schema = createInputSchema(tool.params)
  } catch (error) {
    if (!TollgateError.is(error)) throw error
    throw invalid(`"${tool.name}": ${error.message}`)
  }
  const pathParams = checkEndpoint(tool, schema)
  checkBodyAndHeaders(tool, method)
  const jsonBody = tool.body !== undefined || (method !== 'GET' && method !== 'DELETE')
  const description =
    tool.maxPrice === undefined
      ? tool.description
      : `${tool.description} (Paid: up to ${formatMoney(tool.maxPrice)} per call.)`
  return { tool, schema, method, pathParams, jsonBody, description }
}

function invalid(message: string): TollgateError {
  return new TollgateError('config_invalid', `Paid tool ${message}`)
}

/** Checks the definition is an object with a valid name, description, endpoint and title. */
function checkIdentity(tool: PaidEndpoint): void {
  if (typeof tool !== 'object' || tool === null) {
    throw invalid(
      `definitions are objects such as { name, description, endpoint }; got ${tool === null ? 'null' : typeof tool}.`,
    )
  }
  if (typeof tool.name !== 'string' || !NAME.test(tool.name)) {
    throw invalid(`${JSON.stringify(tool.name)}: names are 1 to 64 letters, digits, "_" or "-".`)
  }
  for (const field of ['description', 'endpoint'] as const) {
    if (typeof tool[field] !== 'string' || tool[field] === '') {
      throw invalid(`"${tool.name}" needs a ${field} string.`)
    }
  }
  if (tool.title !== undefined && typeof tool.title !== 'string') {
    throw invalid(`"${tool.name}" has a title that is not a string.`)
  }
}

/** Checks every endpoint placeholder is a required parameter and the URL is http(s); returns the placeholders. */
function checkEndpoint(tool: PaidEndpoint, schema: ZodObject): Set<string> {
  const pathParams = new Set(Array.from(tool.endpoint.matchAll(PLACEHOLDER), (match) => match[1] as string))
  for (const name of pathParams) {
    const field = schema.shape[name]
    if (field === undefined || field.safeParse(undefined).success) {
      throw invalid(`"${tool.name}": the endpoint placeholder {${name}} must be a required parameter.`)
    }
  }
  let url: URL
  try {
    url = new URL(tool.endpoint.replaceAll(PLACEHOLDER, 'x'))
  } catch (error) {
    throw new TollgateError('config_invalid', `Paid tool "${tool.name}" has an invalid endpoint URL.`, {
      cause: error,
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`"${tool.name}": the endpoint must be an http or https URL.`)
  }
  return pathParams
}

/** Checks `body` and `headers` have allowed shapes, and that a GET has no body. */
function checkBodyAndHeaders(tool: PaidEndpoint, method: string): void {
  const bodyAllowed = method !== 'GET'
  if (tool.body !== undefined && tool.body !== 'json' && typeof tool.body !== 'function') {
    throw invalid(`"${tool.name}": body is 'json' or a function.`)
  }
  if (tool.headers !== undefined && (typeof tool.headers !== 'object' || tool.headers === null)) {
    throw invalid(`"${tool.name}": headers is a map of header names to strings.`)
  }
  if (tool.body !== undefined && !bodyAllowed) {
    throw invalid(`"${tool.name}": a GET request cannot have a body.`)
  }
}

function formatMoney(money: NonNullable<PaidEndpoint['maxPrice']>): string {
  return typeof money === 'string' ? money : `${money.amount} atomic units of ${money.asset}`
}
