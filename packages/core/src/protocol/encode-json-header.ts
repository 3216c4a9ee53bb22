import { bytesToBase64, utf8ToBytes } from '../encoding/base64.js'

/** base64(UTF-8 JSON), as every x402 header is encoded. @internal */
export function encodeJsonHeader(value: unknown): string {
  return bytesToBase64(utf8ToBytes(JSON.stringify(value)))
}
