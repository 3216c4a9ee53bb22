import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme as ExactEvmClientScheme } from '@x402/evm/exact/client'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

/** Options of {@link makeX402Payments}. */
export type MakeX402PaymentsOptions = {
  /** The @x402/express route; asked once for its 402. */
  url: string
  /** Keys of the paying accounts; payment `i` is signed by `payerKeys[i % payerKeys.length]`. */
  payerKeys: readonly Hex[]
  /** CAIP-2 network and token the spend controls allow, up to `maxAmountPerPayment`. */
  network: string
  asset: string
  count: number
}

/**
 * Pre-signs `count` payments with the official client: one 402 from the `@x402/express` route,
 * then `createPaymentPayload` (`@x402/core` + `@x402/evm`, spend controls allowing the devnet
 * token) once per payment, each a fresh EIP-3009 authorization, encoded as the official client
 * sends it. Payers take turns.
 *
 * @example const headerSets = await makeX402Payments({ url, payerKeys, network, asset, count: 200 })
 * @throws {Error} when the route does not answer 402
 */
export async function makeX402Payments(options: MakeX402PaymentsOptions): Promise<Record<string, string>[]> {
  const clients = options.payerKeys.map((key) => {
    const account = privateKeyToAccount(key)
    const client = new x402Client().register('eip155:*', new ExactEvmClientScheme(account)).setSpendControls({
      allowedAssets: [
        {
          network: options.network as `${string}:${string}`,
          asset: options.asset,
          maxAmountPerPayment: '1000000',
        },
      ],
    })
    return new x402HTTPClient(client)
  })
  const http = clients[0]!
  const response = await fetch(options.url)
  const body: unknown = await response.json().catch(() => undefined)
  if (response.status !== 402) throw new Error(`${options.url} answered ${response.status}; expected a 402.`)
  const paymentRequired = http.getPaymentRequiredResponse((name) => response.headers.get(name), body)
  const headerSets: Record<string, string>[] = []
  for (let index = 0; index < options.count; index++) {
    const payer = clients[index % clients.length]!
    headerSets.push(payer.encodePaymentSignatureHeader(await payer.createPaymentPayload(paymentRequired)))
  }
  return headerSets
}
