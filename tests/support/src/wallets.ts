import { type CreateClientOptions, createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import type { Devnet } from '@tollgate/testkit'
import { privateKeyToAccount } from 'viem/accounts'
import { usdcRegistry } from './devnet-registry.js'

/**
 * An EVM wallet for devnet account `index`, polling receipts every 20 ms; it pays with both
 * schemes unless `schemes` names fewer.
 *
 * @example const wallet = walletOf(devnet, 1, ['tx'])
 */
export function walletOf(devnet: Devnet, index: number, schemes?: ('exact' | 'tx')[]) {
  return evmWallet({
    account: privateKeyToAccount(devnet.accounts[index]!.privateKey),
    rpcUrls: { [devnet.network]: devnet.rpcUrl },
    pollingIntervalMs: 20,
    ...(schemes === undefined ? {} : { schemes }),
  })
}

/**
 * A client paying from devnet account `index` in the devnet's USDC, with short retry delays,
 * that records the URL of every HTTP request it sends in `requests`.
 *
 * @example
 * const { client, requests } = clientFor(devnet, 0, { budget: '$1' })
 */
export function clientFor(
  devnet: Devnet,
  index: number,
  policy: CreateClientOptions['policy'] = { budget: '$10' },
) {
  const requests: string[] = []
  const client = createClient({
    wallets: [walletOf(devnet, index)],
    // The client's own registry: it never trusts a server's decimals.
    registry: usdcRegistry(devnet),
    policy,
    retry: { baseDelayMs: 10, maxDelayMs: 200 },
    fetch: (input, init) => {
      requests.push(input instanceof Request ? input.url : String(input))
      return fetch(input, init)
    },
  })
  return { client, requests }
}
