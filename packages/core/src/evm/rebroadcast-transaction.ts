import type { Hex } from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpc } from '../rpc/create-json-rpc.js'

const NONCE_TOO_LOW = /nonce too low|nonce has already been used|already been used|invalid nonce/i

/**
 * Sends a signed transaction again. Never throws: resolves true when the node says its nonce is
 * already used (by whichever transaction), false otherwise.
 *
 * @example const nonceTaken = await rebroadcastTransaction(rpc, raw)
 * @internal
 */
export async function rebroadcastTransaction(rpc: JsonRpc, raw: Hex): Promise<boolean> {
  try {
    await rpc.request('eth_sendRawTransaction', [raw])
    return false
  } catch (error) {
    const reason = TollgateError.is(error) ? String(error.details?.rpcMessage ?? '') : ''
    return NONCE_TOO_LOW.test(reason)
  }
}
