import type { Address, Hex } from 'viem'
import { z } from 'zod'
import { TollgateError } from '../errors/tollgate-error.js'
import type { TryCallResult } from './decode-try-call.js'
import { quantitySchema } from './rpc-schemas.js'

/** The fees of a settlement: legacy gas price, or EIP-1559 caps. @internal */
export type Fees =
  | { type: 'legacy'; gasPrice: bigint }
  | { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }

/** Milliseconds for which fees read by `verify` serve settlements. @internal */
export const FEE_MAX_AGE_MS = 2000

const blockFeeSchema = z.object({ baseFeePerGas: quantitySchema.nullish() })

/**
 * Fees from `eth_gasPrice` and the latest block's base fee; undefined when an answer is malformed.
 * @internal
 */
export function readFees(rawGasPrice: unknown, rawBlock: unknown): Fees | undefined {
  const gasPrice = quantitySchema.safeParse(rawGasPrice)
  const block = blockFeeSchema.safeParse(rawBlock)
  if (!gasPrice.success || !block.success) return undefined
  const baseFeeHex = block.data.baseFeePerGas
  if (baseFeeHex === undefined || baseFeeHex === null)
    return { type: 'legacy', gasPrice: BigInt(gasPrice.data) }
  const baseFee = BigInt(baseFeeHex)
  // eth_gasPrice is the node's base fee plus its suggested tip; room for two full blocks of base fee rises.
  const price = BigInt(gasPrice.data)
  const tip = price > baseFee ? price - baseFee : 0n
  return { type: 'eip1559', maxPriorityFeePerGas: tip, maxFeePerGas: baseFee * 2n + tip }
}

/**
 * The gas measured around the simulated call plus the transaction's intrinsic cost, with a margin
 * for state that changes before inclusion and the 63/64 rule on the token's inner calls.
 * @internal
 */
export function gasLimit(simulation: TryCallResult, data: Hex): bigint {
  let calldata = 0n
  for (let index = 2; index < data.length; index += 2)
    calldata += data.slice(index, index + 2) === '00' ? 4n : 16n
  return ((21_000n + calldata + simulation.gasUsed) * 5n) / 4n + 10_000n
}

/**
 * Refuses a settlement whose gas the settler's native balance cannot pay (an unknown balance passes).
 * @internal
 * @throws {TollgateError} `settler_unfunded`
 */
export function assertSettlerFunded(
  balance: bigint | undefined,
  gas: bigint,
  fees: Fees,
  settler: Address,
): void {
  const price = fees.type === 'legacy' ? fees.gasPrice : fees.maxFeePerGas
  if (balance === undefined || balance >= gas * price) return
  throw new TollgateError(
    'settler_unfunded',
    `The settler ${settler} holds ${balance} wei, less than the ${gas * price} wei a settlement may cost.`,
    { retryAfter: 60, details: { settler, balance, required: gas * price } },
  )
}
