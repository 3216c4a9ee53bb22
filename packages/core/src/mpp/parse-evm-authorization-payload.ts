import { quote, TollgateError } from '../errors/tollgate-error.js'
import { parseWithSchema } from '../protocol/decode-json-header.js'
import { mppEvmAuthorizationSchema } from './schemas.js'
import type { MppEvmAuthorizationPayload } from './types.js'

/**
 * Validates the `payload` of an EVM `charge` credential of type `authorization` (a signed
 * EIP-3009 `TransferWithAuthorization`): addresses, canonical amounts, unix seconds, a bytes32
 * nonce and a hex signature.
 *
 * @example const authorization = parseEvmAuthorizationPayload(credential.payload)
 * @throws {TollgateError} `mpp_method_unsupported` for another credential type (`permit2`,
 * `transaction`, `hash`); `mpp_credential_malformed` for a missing or invalid field
 */
export function parseEvmAuthorizationPayload(payload: Record<string, unknown>): MppEvmAuthorizationPayload {
  if (payload.type !== 'authorization') {
    throw new TollgateError(
      'mpp_method_unsupported',
      `The credential type ${quote(payload.type)} is not accepted; only "authorization" is.`,
      { details: { accepted: ['authorization'] } },
    )
  }
  return parseWithSchema(
    'Payment credential payload',
    payload,
    mppEvmAuthorizationSchema,
    'mpp_credential_malformed',
  )
}
