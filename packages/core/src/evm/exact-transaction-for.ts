import { encodeFunctionData, type TransactionSerializable } from 'viem'
import type { JsonRpcCall } from '../rpc/create-json-rpc.js'
import type { ExactInput } from '../scheme/types.js'
import type { PreparedSettlement } from './create-exact-settlement.js'
import { decodeTryCall } from './decode-try-call.js'
import { eip3009Abi } from './eip3009-abi.js'
import { checkChain, codeForRevert, malformed, readResult, simulationFailed, tryCall } from './exact-calls.js'
import { assertAffordable, assertNotAborted, isReusable, laneOf } from './exact-checks.js'
import { FEE_MAX_AGE_MS, type Fees, gasLimit, readFees } from './exact-fees.js'
import type { ExactSchemeRuntime } from './exact-scheme-runtime.js'

/**
 * The transaction for a settlement, in the payer's lane: from `verify`'s simulation when it is
 * fresh and nothing of this payer was broadcast since, else simulated again with the balance
 * checked against the lane's holds, in one round trip that also reads fees.
 * @internal
 * @throws {TollgateError} `invalid_exact_evm_transaction_simulation_failed` (or the code of the
 * revert reason), `insufficient_funds`, `invalid_exact_evm_eip3009_not_supported`, `rpc_unavailable`,
 * `settlement_failed` (aborted)
 */
export async function exactTransactionFor(
  runtime: ExactSchemeRuntime,
  input: ExactInput,
  prepared: PreparedSettlement,
): Promise<TransactionSerializable> {
  const { now, lanes, chainId, verified } = runtime
  const { payload, token, transfer } = prepared
  const { from, value } = payload.authorization
  const lane = laneOf(token, from)
  const key = `${token}:${transfer}`
  const kept = verified.get(key)
  verified.delete(key)
  const last = lanes.lastBroadcast(lane)
  // What other settlements of this payer that may still land hold (verified authorizations not
  // broadcast yet change nothing on chain: of those, the first to settle is served first).
  const held = lanes.held(lane, Math.floor(now() / 1000), {
    except: payload.authorization.nonce,
    pendingOnly: true,
  })
  if (kept !== undefined && isReusable(kept.at, now(), runtime.simulationMaxAgeMs, last, held)) {
    assertNotAborted(input.signal)
    return { chainId, to: token, data: transfer, gas: kept.gas, ...kept.fees }
  }
  const cachedFees =
    runtime.feeCache !== undefined && now() - runtime.feeCache.at <= FEE_MAX_AGE_MS
      ? runtime.feeCache.fees
      : undefined
  const issuedAt = now()
  const { calls, slots } = planSettleBatch(runtime, prepared, { held, feesKnown: cachedFees !== undefined })
  const results = await runtime.rpc.batch(calls, input.signal)
  if (slots.chain !== -1) checkChain(runtime, results[slots.chain])
  if (slots.count !== -1) runtime.nonces.seed(results[slots.count])
  const simulation = decodeTryCall(results[0], 'transferWithAuthorization')
  if (!simulation.success) throw simulationFailed(simulation.reason, codeForRevert(simulation.reason))
  if (slots.balance !== -1)
    assertAffordable(
      readResult(decodeTryCall(results[slots.balance], 'balanceOf'), 'balanceOf', token),
      value,
      held,
    )
  const fees: Fees | undefined = cachedFees ?? readFees(results[slots.gasPrice], results[slots.block])
  if (fees === undefined) throw malformed('eth_gasPrice')
  if (cachedFees === undefined) runtime.feeCache = { at: issuedAt, fees, settlerBalance: undefined }
  assertNotAborted(input.signal)
  return { chainId, to: token, data: transfer, gas: gasLimit(simulation, transfer), ...fees }
}

// The simulation (always the first call), and only what is not known already: the balance when the
// lane holds some of it, fees older than FEE_MAX_AGE_MS, the chain id and the settler's nonce when
// not read yet.
function planSettleBatch(
  runtime: ExactSchemeRuntime,
  prepared: PreparedSettlement,
  known: { held: bigint; feesKnown: boolean },
) {
  const { token, transfer, payload } = prepared
  const { settler } = runtime
  const calls: JsonRpcCall[] = [tryCall(token, transfer, settler)]
  const slot = (call: JsonRpcCall): number => calls.push(call) - 1
  const balance =
    known.held === 0n
      ? -1
      : slot(
          tryCall(
            token,
            encodeFunctionData({
              abi: eip3009Abi,
              functionName: 'balanceOf',
              args: [payload.authorization.from],
            }),
          ),
        )
  const gasPrice = known.feesKnown ? -1 : slot({ method: 'eth_gasPrice', params: [] })
  const block = known.feesKnown ? -1 : slot({ method: 'eth_getBlockByNumber', params: ['latest', false] })
  const chain = runtime.chainChecked ? -1 : slot({ method: 'eth_chainId', params: [] })
  const count = runtime.nonces.needsCount
    ? slot({ method: 'eth_getTransactionCount', params: [settler, 'pending'] })
    : -1
  return { calls, slots: { balance, gasPrice, block, chain, count } }
}
