import { quote, TollgateError } from '../errors/tollgate-error.js'
import type { PaymentPayload } from './types.js'

/** The key of x402's `payment-identifier` extension in `extensions`. */
export const PAYMENT_IDENTIFIER = 'payment-identifier'

const ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/

/** The extension's JSON Schema of `info`, as x402 declares it. */
const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    required: { type: 'boolean' },
    id: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[a-zA-Z0-9_-]+$' },
  },
  required: ['required'],
} as const

/** x402's `payment-identifier` extension, as a server declares it and a client echoes it with an `id`. */
export type PaymentIdentifierExtension = {
  /** Whether the server requires an identifier, and the client's identifier. */
  info: { required: boolean; id?: string }
  /** JSON Schema of `info`. */
  schema: typeof schema
}

/**
 * The `payment-identifier` declaration a 402 carries in `extensions`: the server deduplicates
 * payments by a client-chosen identifier, and requires one when `required`.
 * @example declarePaymentIdentifier(false) // { info: { required: false }, schema: { … } }
 */
export function declarePaymentIdentifier(required = false): PaymentIdentifierExtension {
  return { info: { required }, schema }
}

/**
 * A fresh payment identifier in x402's recommended form: `pay_` and 32 random hex digits.
 * @example createPaymentIdentifier() // 'pay_7d5d747be160e280504c099d984bcfe0'
 */
export function createPaymentIdentifier(): string {
  return `pay_${crypto.randomUUID().replaceAll('-', '')}`
}

/**
 * Whether `id` is a valid payment identifier: 16 to 128 letters, digits, `-` or `_`.
 * @example isPaymentIdentifier('pay_7d5d747be160e280504c099d984bcfe0') // true
 */
export function isPaymentIdentifier(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id)
}

/**
 * The payload's `extensions` with the client's identifier appended to the server's
 * `payment-identifier` declaration; unchanged when the server declared none.
 * @example withPaymentIdentifier(paymentRequired.extensions, 'pay_7d5d747be160e280504c099d984bcfe0')
 */
export function withPaymentIdentifier(
  declared: Record<string, unknown> | undefined,
  id: string,
): Record<string, unknown> | undefined {
  const declaration = declared?.[PAYMENT_IDENTIFIER] as { info?: unknown; schema?: unknown } | undefined
  if (typeof declaration?.info !== 'object' || declaration.info === null) return undefined
  const info = { ...(declaration.info as Record<string, unknown>), id }
  return { [PAYMENT_IDENTIFIER]: { ...declaration, info } }
}

/**
 * Reads the client's payment identifier from a payload's `extensions`.
 * @example readPaymentIdentifier(payload) // 'pay_7d5d747be160e280504c099d984bcfe0' or undefined
 * @throws {TollgateError} `payment_identifier_invalid` for an extension or identifier of the wrong shape
 */
export function readPaymentIdentifier(payload: PaymentPayload): string | undefined {
  const extension = payload.extensions?.[PAYMENT_IDENTIFIER]
  if (extension === undefined) return undefined
  const info = (extension as { info?: unknown } | null)?.info as { id?: unknown } | null | undefined
  if (typeof info !== 'object' || info === null) {
    throw new TollgateError(
      'payment_identifier_invalid',
      'The payment-identifier extension has no `info` object.',
    )
  }
  if (info.id === undefined) return undefined
  if (!isPaymentIdentifier(info.id)) {
    throw new TollgateError(
      'payment_identifier_invalid',
      `The payment identifier ${quote(String(info.id))} is not 16 to 128 letters, digits, "-" or "_".`,
    )
  }
  return info.id
}
