// An agent that pays the API above from a devnet account, inside its owner's policy.
import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { privateKeyToAccount } from 'viem/accounts'

const key = process.env.AGENT_KEY // a private key printed by tollgate-devnet
if (!key) throw new Error('Set AGENT_KEY to the private key of a funded devnet account.')
const client = createClient({
  wallets: [
    evmWallet({
      account: privateKeyToAccount(key as `0x${string}`),
      rpcUrls: { 'eip155:31337': process.env.RPC_URL ?? 'http://127.0.0.1:8545' },
    }),
  ],
  policy: { budget: '$5', perCall: '$0.50', allowedDomains: ['127.0.0.1'] },
})

const response = await client.fetch(`${process.env.API_URL ?? 'http://127.0.0.1:4021'}/api/search?q=x402`)
console.log(response.status, await response.json())
console.log('paid', client.paymentFor(response))
console.log('spent', JSON.stringify(await client.spent()))
