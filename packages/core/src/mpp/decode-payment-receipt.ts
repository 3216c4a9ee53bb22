import { parseWithSchema } from '../protocol/decode-json-header.js'
import { decodeBase64UrlJson } from './decode-base64url-json.js'
import { mppReceiptSchema } from './schemas.js'
import type { MppReceipt } from './types.js'

/**
 * Decodes an untrusted `Payment-Receipt` field value (at most 4096 characters).
 *
 * @example decodePaymentReceipt(response.headers.get('Payment-Receipt')).reference // '0x…'
 * @throws {TollgateError} `mpp_receipt_malformed` for a value that is not base64url JSON of a receipt
 */
export function decodePaymentReceipt(value: unknown): MppReceipt {
  const json = decodeBase64UrlJson('Payment-Receipt header', value, 4096, 'mpp_receipt_malformed')
  return parseWithSchema(
    'Payment-Receipt header',
    json,
    mppReceiptSchema,
    'mpp_receipt_malformed',
  ) as MppReceipt
}
