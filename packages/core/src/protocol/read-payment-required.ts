import { TollgateError } from '../errors/tollgate-error.js'
import { parseWithSchema } from './decode-json-header.js'
import { headerNames } from './headers.js'
import { decodePaymentRequiredHeader } from './payment-required-header.js'
import { readBodyText } from './read-body-text.js'
import { paymentRequiredV1Schema } from './schemas.js'
import type { PaymentRequired, PaymentRequirements, PaymentRequirementsV1 } from './types.js'
import { networkFromV1 } from './v1-networks.js'

/** Options of {@link readPaymentRequired}. */
export type ReadPaymentRequiredOptions = {
  /** Largest accepted `PAYMENT-REQUIRED` header, in bytes. Default 8192. */
  maxHeaderBytes?: number
  /** Largest accepted v1 JSON body, in bytes. Default 65536. */
  maxBodyBytes?: number
}

/** What a 402 asked for, normalised to the v2 shape. */
export type ReadPaymentRequiredResult = {
  /** The protocol version the server spoke; answer v1 with `X-PAYMENT`, v2 with `PAYMENT-SIGNATURE`. */
  x402Version: 1 | 2
  /** The requirements in v2 form (v1 networks mapped to CAIP-2; v1 entries on unknown networks dropped). */
  paymentRequired: PaymentRequired
  /** For v1: the original entry behind each `paymentRequired.accepts[i]`. */
  v1Accepts?: PaymentRequirementsV1[]
}

/**
 * Reads what a 402 response asks for: the v2 `PAYMENT-REQUIRED` header, or else a v1 JSON body
 * with `maxAmountRequired`. Consumes the body only for v1.
 *
 * @example const { paymentRequired } = await readPaymentRequired(response)
 * @throws {TollgateError} `header_too_large`, `header_malformed`, `invalid_payment_requirements`, `invalid_x402_version`
 */
export async function readPaymentRequired(
  response: Response,
  options: ReadPaymentRequiredOptions = {},
): Promise<ReadPaymentRequiredResult> {
  const header = response.headers.get(headerNames.paymentRequired)
  if (header !== null) {
    const paymentRequired = decodePaymentRequiredHeader(header, { maxBytes: options.maxHeaderBytes ?? 8192 })
    return { x402Version: 2, paymentRequired }
  }
  const text = await readBodyText(response.body, options.maxBodyBytes ?? 65_536)
  if (text === undefined) {
    throw new TollgateError('header_too_large', 'The 402 response body is too large to be a payment request.')
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TollgateError(
      'header_malformed',
      'The 402 response has no PAYMENT-REQUIRED header and no JSON body.',
      {
        cause: error,
      },
    )
  }
  const v1 = parseWithSchema(
    '402 response body',
    json,
    paymentRequiredV1Schema,
    'invalid_payment_requirements',
  )
  const accepts: PaymentRequirements[] = []
  const v1Accepts: PaymentRequirementsV1[] = []
  for (const entry of v1.accepts) {
    const network = networkFromV1(entry.network)
    if (network === undefined) continue
    accepts.push({
      scheme: entry.scheme,
      network,
      asset: entry.asset,
      amount: entry.maxAmountRequired,
      payTo: entry.payTo,
      maxTimeoutSeconds: entry.maxTimeoutSeconds,
      extra: entry.extra ?? {},
    })
    v1Accepts.push(entry as PaymentRequirementsV1)
  }
  const first = v1.accepts[0]
  return {
    x402Version: 1,
    paymentRequired: {
      x402Version: 2,
      ...(v1.error === undefined ? {} : { error: v1.error }),
      resource: {
        url: first?.resource ?? response.url,
        ...(first?.description ? { description: first.description } : {}),
        ...(first?.mimeType ? { mimeType: first.mimeType } : {}),
      },
      accepts,
    },
    v1Accepts,
  }
}
