import { type Address, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import type { TollgateErrorCode } from '../errors/error-codes.js'
import { TollgateError } from '../errors/tollgate-error.js'
import type { JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { TryCallResult } from './decode-try-call.js'
import { eip3009Abi } from './eip3009-abi.js'
import { encodeTryCall } from './encode-try-call.js'
import type { ExactSchemeRuntime } from './exact-scheme-runtime.js'
import type { ExactPayload } from './parse-exact-payload.js'
import { quantitySchema } from './rpc-schemas.js'

/**
 * A deployless `eth_call` of `data` on `target` that reports a revert as data (see `encodeTryCall`).
 * @internal
 */
export function tryCall(target: Address, data: Hex, from?: Address): JsonRpcCall {
  return {
    method: 'eth_call',
    params: [{ ...(from === undefined ? {} : { from }), data: encodeTryCall(target, data) }, 'latest'],
  }
}

/**
 * The `transferWithAuthorization` calldata of an authorization: (v, r, s) for a 65-byte signature
 * whose bytes survive re-packing, which every EIP-3009 token has; the `bytes` overload (FiatToken
 * v2.2) for smart-wallet signatures of any other length.
 * @internal
 */
export function encodeTransfer(payload: ExactPayload, eoaSigned: boolean): Hex {
  const { from, to, value, validAfter, validBefore, nonce } = payload.authorization
  const { signature } = payload
  const v = signature.length === 132 ? Number.parseInt(signature.slice(130), 16) : undefined
  if (v !== undefined && (v === 27 || v === 28 || (eoaSigned && (v === 0 || v === 1)))) {
    return encodeFunctionData({
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [
        from,
        to,
        value,
        validAfter,
        validBefore,
        nonce,
        v < 27 ? v + 27 : v,
        `0x${signature.slice(2, 66)}`,
        `0x${signature.slice(66, 130)}`,
      ],
    })
  }
  return encodeFunctionData({
    abi: eip3009Abi,
    functionName: 'transferWithAuthorization',
    args: [from, to, value, validAfter, validBefore, nonce, signature],
  })
}

/**
 * The decoded answer of a call through the try-wrapper.
 * @internal
 * @throws {TollgateError} `invalid_exact_evm_eip3009_not_supported` when the call reverted or
 * returned nothing decodable: the asset is not an EIP-3009 token (or not a contract at all)
 */
export function readResult(
  answer: TryCallResult,
  functionName: 'authorizationState' | 'balanceOf' | 'name' | 'version',
  token: Address,
): unknown {
  if (answer.success) {
    try {
      return decodeFunctionResult({ abi: eip3009Abi, functionName, data: answer.data })
    } catch {
      // Reported below.
    }
  }
  throw new TollgateError(
    'invalid_exact_evm_eip3009_not_supported',
    `The asset ${token} does not answer ${functionName}() like an EIP-3009 token.`,
    {
      details: { asset: token, function: functionName, ...(answer.reason ? { reason: answer.reason } : {}) },
    },
  )
}

/**
 * The token's `name()` or `version()`, at most 256 characters.
 * @internal
 * @throws {TollgateError} `invalid_exact_evm_eip3009_not_supported`
 */
export function readString(answer: TryCallResult, functionName: 'name' | 'version', token: Address): string {
  const value = readResult(answer, functionName, token)
  return typeof value === 'string' ? value.slice(0, 256) : ''
}

/** The error code of a simulation that reverted with `reason`. @internal */
export function codeForRevert(reason: string | undefined): TollgateErrorCode {
  const text = reason ?? ''
  if (/not yet valid/i.test(text)) return 'invalid_exact_evm_payload_authorization_valid_after'
  if (/expired/i.test(text)) return 'invalid_exact_evm_payload_authorization_valid_before'
  if (/used or canceled/i.test(text)) return 'invalid_exact_evm_nonce_already_used'
  if (/invalid signature|ECRecover/i.test(text)) return 'invalid_exact_evm_payload_signature'
  if (/exceeds balance|insufficient/i.test(text)) return 'insufficient_funds'
  return 'invalid_exact_evm_transaction_simulation_failed'
}

/** The error of a simulation that reverted. @internal */
export function simulationFailed(
  reason: string | undefined,
  code: TollgateErrorCode = 'invalid_exact_evm_transaction_simulation_failed',
): TollgateError {
  return new TollgateError(code, `The transfer would revert: ${reason}.`, { details: { reason } })
}

/** The error of a malformed RPC answer (`rpc_unavailable`, retry in 2 s). @internal */
export function malformed(method: string): TollgateError {
  return new TollgateError('rpc_unavailable', `The RPC node's answer to ${method} is malformed.`, {
    retryAfter: 2,
  })
}

/**
 * Checks the node's `eth_chainId` answer against the scheme's chain, once.
 * @internal
 * @throws {TollgateError} `rpc_unavailable` when the answer is malformed or names another chain
 */
export function checkChain(runtime: ExactSchemeRuntime, answer: unknown): void {
  const parsed = quantitySchema.safeParse(answer)
  if (!parsed.success) throw malformed('eth_chainId')
  const served = Number(BigInt(parsed.data))
  if (served !== runtime.chainId) {
    throw new TollgateError(
      'rpc_unavailable',
      `The RPC node serves chain ${served}, not ${runtime.chainId}.`,
      { retryAfter: 30 },
    )
  }
  runtime.chainChecked = true
}
