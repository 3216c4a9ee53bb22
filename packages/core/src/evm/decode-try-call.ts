import { decodeAbiParameters, type Hex } from 'viem'
import { TollgateError } from '../errors/tollgate-error.js'

/** The outcome of a call made through `encodeTryCall`. @internal */
export type TryCallResult = {
  /** Whether the call returned (true) or reverted (false). */
  success: boolean
  /** Gas the call consumed, measured around it (an upper bound of its execution cost). */
  gasUsed: bigint
  /** Return data, or the revert data when it reverted. */
  data: Hex
  /** The revert reason in words, when it reverted: `Error(string)` text, a panic code or a selector. */
  reason?: string
}

const ANSWER = /^0x(0[01])([0-9a-fA-F]{64})((?:[0-9a-fA-F]{2})*)$/
const ERROR_STRING = '0x08c379a0'
const PANIC = '0x4e487b71'

/**
 * Decodes the answer of an `eth_call` made with `encodeTryCall`.
 *
 * @example const { success, data, reason } = decodeTryCall(answer, 'transferWithAuthorization')
 * @throws {TollgateError} `rpc_unavailable` when the node's answer does not have the expected shape
 * @internal
 */
export function decodeTryCall(value: unknown, method: string): TryCallResult {
  const match = typeof value === 'string' ? ANSWER.exec(value) : null
  if (match === null) {
    throw new TollgateError('rpc_unavailable', `The RPC node's answer to the ${method} call is malformed.`, {
      retryAfter: 2,
    })
  }
  const success = match[1] === '01'
  const data = `0x${match[3]}` as Hex
  const result: TryCallResult = { success, gasUsed: BigInt(`0x${match[2]}`), data }
  if (!success) result.reason = decodeRevertReason(data)
  return result
}

function decodeRevertReason(data: Hex): string {
  if (data === '0x') return 'reverted without a reason'
  const selector = data.slice(0, 10).toLowerCase()
  try {
    if (selector === ERROR_STRING) {
      const [text] = decodeAbiParameters([{ type: 'string' }], `0x${data.slice(10)}`)
      return text.slice(0, 200)
    }
    if (selector === PANIC) {
      const [code] = decodeAbiParameters([{ type: 'uint256' }], `0x${data.slice(10)}`)
      return `panic 0x${code.toString(16)}`
    }
  } catch {
    // Fall through: a malformed reason is reported by its selector like any custom error.
  }
  return `custom error ${selector}`
}
