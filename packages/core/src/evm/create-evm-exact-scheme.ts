import type { ExactInput } from '../scheme/types.js'
import { abandonExact } from './abandon-exact.js'
import { createExactSettlement } from './create-exact-settlement.js'
import { createExactSchemeRuntime } from './exact-scheme-runtime.js'
import type { CreateEvmExactSchemeOptions, EvmExactScheme } from './exact-scheme-types.js'
import { exactTransactionFor } from './exact-transaction-for.js'
import { exactExtra, identifyExact } from './identify-exact.js'
import { prepareExact } from './prepare-exact.js'
import { verifyExact } from './verify-exact.js'

export type {
  CreateEvmExactSchemeOptions,
  EvmExactScheme,
  EvmExactSchemeSettings,
} from './exact-scheme-types.js'

/**
 * Creates the x402 `exact` scheme (EIP-3009 `transferWithAuthorization`) for one EVM chain,
 * verified and settled by this process with its own gas-paying settler.
 *
 * `verify` runs, in this order, and each once: the payload shape; the offline checks (requirements
 * and EIP-712 domain, recipient, exact value, `validAfter <= now`, `validBefore >= now + 6 s`,
 * `validBefore <= now + maxTimeoutSeconds + skew`, and ECDSA recovery); then ONE batched JSON-RPC
 * round trip with the token's `name()`/`version()` (cached per asset), `eth_getCode(from)` and
 * ERC-1271 `isValidSignature` (only when the signature does not recover to `from`),
 * `authorizationState`, `balanceOf` and an `eth_call` simulation of the transfer from the settler
 * (plus, for the settlement to come, gas prices at most every 2 s and the settler's nonce once);
 * whose answers are judged in the same order: token domain, signature, nonce, balance (less what
 * this payer's other verified authorizations and pending settlements hold), simulation.
 *
 * A verified authorization then holds its value against the payer's balance (per payer and token),
 * checked and held in one synchronous step after the batch answers, so of concurrent authorizations
 * a payer can afford only one of, one passes `verify` and the others are refused
 * `insufficient_funds` before any handler runs. The hold ends when the authorization is settled
 * (or provably cannot be), when `abandon` is called (the gate calls it when the handler failed or
 * the requester left), or at the latest at the authorization's `validBefore` or the offer's
 * `maxTimeoutSeconds` after verify. Holds are per process: two instances of this scheme (two gate
 * processes) each hold separately, and a facilitator built on it holds from `/verify` until
 * `/settle` or the lapse.
 * Contract calls travel as deployless `eth_call`s that report a revert as data, so one revert
 * cannot fail the batch. No account's code is cached: an address can gain code at any time
 * (ERC-4337 deployment, EIP-7702 delegation), and the code is only read when ECDSA failed.
 *
 * `settle` repeats the offline checks and runs in the payer's lane: settlements of one payer and
 * token run one at a time, from the last check to the receipt, so of several authorizations a payer
 * can afford only one of, one is broadcast and the others are refused (`insufficient_funds`,
 * `details.settled === false`) without costing gas. In the lane it simulates again (the state may
 * have changed while the handler ran; skipped within `simulationMaxAgeMs` of `verify`'s simulation
 * when nothing of this payer was broadcast since), then signs and sends through the nonce manager
 * (`eth_sendRawTransactionSync` when the node offers it, so the receipt comes with the answer), and
 * watches the receipt every `receiptPollingMs`: a send the node never saw is sent again within
 * `presenceCheckMs`, a stuck one is replaced with higher fees (same nonce) after `replaceAfterMs`.
 * With `eth_sendRawTransactionSync`, a payment is three round trips: verify, the settle-time
 * simulation, the send (two with `simulationMaxAgeMs`).
 *
 * The settle contract, which a gate relies on:
 * - resolves `{ transaction, payer, logIndex }` once a successful receipt with the token's
 *   `Transfer(from, payTo, value)` log has `confirmations` blocks;
 * - throws `settlement_pending` (503, `retryAfter`, `details.transaction`) when the transaction was
 *   broadcast but is not confirmed within `receiptTimeoutMs`: it may still land. Keep the claim and
 *   the transaction hash, answer the payer with `Retry-After`, and on its retry call
 *   `settlementStatus({ input, transaction })`: `confirmed` (serve; `transaction` may be a
 *   replacement's hash), `pending` (answer 503 again), `failed` (provably cannot land: the
 *   authorization was canceled, expired unused, or the settler nonce went to another transaction);
 * - throws with `details.settled === false` only when the transfer provably did not and cannot
 *   happen (nothing broadcast, or a reverted transaction with the authorization still unused): the
 *   claim may be released and the authorization tried again. `settler_unfunded` (503, `retryAfter`)
 *   is one: the settler cannot pay gas;
 * - any other failure leaves the outcome open: keep the claim.
 *
 * @example
 * const exact = createEvmExactScheme({ rpcUrl, chainId: 8453, settler: privateKeyToAccount(process.env.SETTLER_KEY) })
 * createGate({ networks: [evmNetwork({ network: 'eip155:8453', rpcUrl, exact })], ... })
 * @throws {TollgateError} `config_invalid` for a settler that cannot sign transactions or a bad option;
 * from `identify`: `invalid_payload`; from `verify`: the offline codes of `checkExactAuthorization`,
 * `invalid_exact_evm_payload_signature`, `invalid_exact_evm_payload_undeployed_smart_wallet`,
 * `invalid_exact_evm_token_name_mismatch`, `invalid_exact_evm_token_version_mismatch`,
 * `invalid_exact_evm_eip3009_not_supported`, `invalid_exact_evm_nonce_already_used`, `insufficient_funds`,
 * `invalid_exact_evm_transaction_simulation_failed`, `settler_unfunded` (the settler's native balance,
 * read with the fees every 2 s, cannot pay this settlement's gas), `rpc_unavailable`; from `settle`: those, plus
 * `settlement_pending`, `settler_unfunded`, `settlement_failed`, `invalid_exact_evm_transaction_failed`,
 * `invalid_exact_evm_transfer_event_mismatch` (`details.settled === false` only when the transfer
 * provably did not and cannot happen); from `settlementStatus`: `invalid_payload`,
 * `invalid_payment_requirements`, `rpc_unavailable`
 */
export function createEvmExactScheme(options: CreateEvmExactSchemeOptions): EvmExactScheme {
  const runtime = createExactSchemeRuntime(options)
  const settlement = createExactSettlement({
    rpc: runtime.rpc,
    settler: runtime.settler,
    signTransaction: runtime.signTransaction,
    nonces: runtime.nonces,
    lanes: runtime.lanes,
    prepare: (input: ExactInput) => prepareExact(runtime, input),
    transactionFor: (input, prepared) => exactTransactionFor(runtime, input, prepared),
    settings: runtime.settlementSettings,
    now: runtime.now,
  })
  return {
    specificationVersion: 'v1',
    signers: [runtime.settler],
    extra: exactExtra,
    identify: (input) =>
      identifyExact(input, {
        nowSeconds: Math.floor(runtime.now() / 1000),
        clockSkewSeconds: runtime.clockSkewSeconds,
      }),
    verify: (input) => verifyExact(runtime, input),
    abandon: (input) => abandonExact(runtime, input),
    settle: settlement.settle,
    settlementStatus: settlement.settlementStatus,
    reportsSigned: true,
  }
}
