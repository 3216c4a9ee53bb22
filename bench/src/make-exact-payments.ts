import { createChainRegistry, encodePaymentSignatureHeader, type PaymentRequirements } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link makeExactPayments}. */
export type MakeExactPaymentsOptions = {
  rpcUrl: string
  /** Keys of the paying accounts; payment `i` is signed by `payerKeys[i % payerKeys.length]`. */
  payerKeys: readonly Hex[]
  /** The route's `exact` requirement, from one 402. */
  requirements: PaymentRequirements
  count: number
}

/**
 * Signs `count` EIP-3009 authorizations for the gate's `exact` requirement, each with its own
 * random nonce, the way Tollgate's `evmWallet` pays, and encodes each as a `PAYMENT-SIGNATURE`
 * header. Payers take turns, so consecutive payments come from different payers. Nothing touches
 * the chain until the gate settles them.
 *
 * @example const headers = await makeExactPayments({ rpcUrl, payerKeys, requirements, count: 200 })
 */
export async function makeExactPayments(options: MakeExactPaymentsOptions): Promise<string[]> {
  const { requirements } = options
  const wallets = options.payerKeys.map((key) =>
    evmWallet({ account: privateKeyToAccount(key), rpcUrls: { [requirements.network]: options.rpcUrl } }),
  )
  const asset = createChainRegistry({
    assets: [
      {
        network: requirements.network,
        address: requirements.asset,
        symbol: 'USDC',
        name: String(requirements.extra.name),
        decimals: 6,
        usdPegged: true,
      },
    ],
  }).asset(requirements.network, requirements.asset)
  const headers: string[] = []
  for (let index = 0; index < options.count; index++) {
    const wallet = wallets[index % wallets.length]!
    const payload = await wallet.authorize!({ requirements, asset, now: Date.now() })
    headers.push(encodePaymentSignatureHeader({ x402Version: 2, accepted: requirements, payload }))
  }
  return headers
}
