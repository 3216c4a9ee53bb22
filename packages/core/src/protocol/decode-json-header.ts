import type { z } from 'zod'
import { base64ToBytes, bytesToUtf8 } from '../encoding/base64.js'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { TollgateError } from '../errors/tollgate-error.js'
import { DEFAULT_MAX_HEADER_BYTES } from './headers.js'

/** Options of the header decoders. */
export type DecodeHeaderOptions = {
  /** Largest accepted header value, in bytes. Default 8192. */
  maxBytes?: number
}

/**
 * Decodes an untrusted base64 JSON header: size bound first, then strict base64, UTF-8, JSON and
 * the schema. Every failure is a TollgateError naming the header.
 * @internal
 */
export function decodeJsonHeader<Schema extends z.ZodType>(
  header: string,
  value: unknown,
  schema: Schema,
  options: DecodeHeaderOptions & { invalidCode?: TollgateErrorCode } = {},
): z.output<Schema> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_HEADER_BYTES
  if (typeof value !== 'string' || value.length === 0) {
    throw new TollgateError('header_malformed', `The ${header} header is empty.`, { details: { header } })
  }
  if (value.length > maxBytes) {
    throw new TollgateError(
      'header_too_large',
      `The ${header} header is ${value.length} bytes; at most ${maxBytes} are accepted.`,
      {
        details: { header, length: value.length, maxBytes },
      },
    )
  }
  const bytes = base64ToBytes(value.trim())
  const text = bytes === undefined ? undefined : bytesToUtf8(bytes)
  if (text === undefined) {
    throw new TollgateError('header_malformed', `The ${header} header is not base64-encoded UTF-8.`, {
      details: { header },
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TollgateError('header_malformed', `The ${header} header does not hold valid JSON.`, {
      cause: error,
      details: { header },
    })
  }
  return parseWithSchema(header, json, schema, options.invalidCode ?? 'invalid_payload')
}

/** Validates decoded JSON against a schema, turning zod issues into a TollgateError. @internal */
export function parseWithSchema<Schema extends z.ZodType>(
  what: string,
  json: unknown,
  schema: Schema,
  code: TollgateErrorCode,
): z.output<Schema> {
  const result = schema.safeParse(json)
  if (result.success) return result.data
  const issues = result.error.issues.slice(0, 5).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
  const versionIssue = result.error.issues.find((issue) => issue.path[0] === 'x402Version')
  const first = issues[0]
  throw new TollgateError(
    versionIssue ? 'invalid_x402_version' : code,
    `The ${what} is invalid: ${first ? `${first.path || '(root)'} ${first.message}` : 'schema mismatch'}.`,
    { details: { issues } },
  )
}
