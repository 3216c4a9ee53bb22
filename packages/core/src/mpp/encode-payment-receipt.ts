import { parseWithSchema } from '../protocol/decode-json-header.js'
import { encodeBase64UrlJson } from './encode-base64url-json.js'
import { mppReceiptSchema } from './schemas.js'
import type { MppReceipt } from './types.js'

/**
 * Writes a `Payment-Receipt` field value: base64url of the receipt's canonical JSON.
 *
 * @example
 * encodePaymentReceipt({ status: 'success', method: 'evm', reference: txHash, timestamp: new Date().toISOString() })
 * @throws {TollgateError} `config_invalid` for a receipt missing or breaking a field
 */
export function encodePaymentReceipt(receipt: MppReceipt): string {
  return encodeBase64UrlJson(parseWithSchema('Payment receipt', receipt, mppReceiptSchema, 'config_invalid'))
}
