import { type Network, readPaymentRequired } from '@tollgate/core'
import { type DemoAsset, readChainAsset } from '@tollgate/demo-api'

/**
 * Finds the stablecoin the demo API charges in: the asset its 402 asks for, with decimals, symbol
 * and name read from the chain (never from the API). For the demo only: a real agent names the
 * assets it trusts as dollars itself.
 *
 * @example const { network, asset } = await discoverAsset({ apiUrl, rpcUrl })
 * @throws {Error} when the API does not answer 402, or its asset is on another chain than `rpcUrl`
 */
export async function discoverAsset(options: {
  apiUrl: string
  rpcUrl: string
}): Promise<{ network: Network; asset: DemoAsset }> {
  const response = await fetch(`${options.apiUrl.replace(/\/+$/, '')}/api/search?q=price`)
  if (response.status !== 402) throw new Error(`The demo API answered ${response.status}, not 402.`)
  const { paymentRequired } = await readPaymentRequired(response)
  const offer = paymentRequired.accepts[0]
  if (offer === undefined) throw new Error('The demo API offers no way to pay.')
  const chain = await readChainAsset({ rpcUrl: options.rpcUrl, address: offer.asset })
  if (chain.network !== offer.network) {
    throw new Error(`The demo API charges on ${offer.network}, but TOLLGATE_RPC_URL is ${chain.network}.`)
  }
  return chain
}
