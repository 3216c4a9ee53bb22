import { createClientRuntime } from './client-runtime.js'
import type { Client, CreateClientOptions } from './client-types.js'
import { payRequirements } from './pay-requirements.js'
import { reconcileAuthorizations } from './reconcile-authorizations.js'
import { runFetch } from './run-fetch.js'
import { withJsonAmounts } from './with-json-amounts.js'

export type {
  Client,
  ClientEvent,
  ClientFetchOptions,
  CreateClientOptions,
  PaymentInfo,
  PaymentLifecycleEvent,
  PayOptions,
  PendingPayment,
} from './client-types.js'

/**
 * Creates a client whose `fetch` pays HTTP 402s (x402 v2 and v1, the `tx` and `exact` schemes,
 * passes) from its wallets, only inside its spending policy, recording everything in a ledger so
 * a payment that was made is never made again.
 *
 * @example
 * const client = createClient({
 *   wallets: [evmWallet({ account, rpcUrls: { 'eip155:8453': rpcUrl } })],
 *   policy: { budget: '$5', perCall: '$0.50', allowedDomains: ['api.example.com'], window: { seconds: 86_400 } },
 * })
 * const response = await client.fetch('https://api.example.com/search?q=x402')
 * @throws {TollgateError} from `fetch`: `policy_*`, `no_payable_option`, `payment_rejected`, `price_changed`,
 * `pay_to_changed`, `payment_failed`, `retry_limit_exceeded`, `wallet_*`; from `createClient`:
 * `config_invalid`
 */
export function createClient(options: CreateClientOptions): Client {
  const runtime = createClientRuntime(options)
  return {
    fetch: (input, init, fetchOptions = {}) => runFetch(runtime, input, init, fetchOptions),
    pay: (paymentRequired, payOptions) => payRequirements(runtime, paymentRequired, payOptions),
    paymentFor: (response) => runtime.payments.get(response),
    spent: async () => withJsonAmounts(await runtime.policy.spent()),
    reserved: async () => (await runtime.policy.spent()).reserved,
    reconcile: () => reconcileAuthorizations(runtime, { force: true }),
    passes: () => runtime.passes.list(),
    ledger: runtime.ledger,
    policy: runtime.policy,
  }
}
