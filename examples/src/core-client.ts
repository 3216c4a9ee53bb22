import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { createFileLedger } from '@tollgate/core/node'
import { privateKeyToAccount } from 'viem/accounts'

const key = process.env.AGENT_KEY
if (!key) throw new Error('Set AGENT_KEY to the private key of a funded devnet account.')

const client = createClient({
  wallets: [
    evmWallet({
      account: privateKeyToAccount(key as `0x${string}`),
      rpcUrls: { 'eip155:31337': process.env.RPC_URL ?? 'http://127.0.0.1:8545' },
    }),
  ],
  policy: {
    budget: '$5', // or ['10 USDC', { amount, asset, network }]
    window: { seconds: 86_400 }, // rolling; default lifetime
    perCall: '$0.50',
    allowedDomains: ['127.0.0.1', '*.example.org'],
    requireApprovalAbove: '$0.25',
    approve: async (payment) => {
      console.log(`approve ${payment.amountFormatted} ${payment.asset.symbol} for ${payment.url}?`)
      return false // ask the owner here (a prompt, a chat message, …): declined until then
    },
    rateLimit: { payments: 60, perSeconds: 60 },
    expiresIn: 7 * 86_400,
  },
  ledger: createFileLedger({ path: process.env.LEDGER_PATH ?? '.tollgate/ledger.jsonl' }),
})

const response = await client.fetch(`${process.env.API_URL ?? 'http://127.0.0.1:4021'}/api/search?q=x402`)
console.log(response.status, client.paymentFor(response)) // { method: 'payment', amount: '1000', display: '0.001 USDC', … }
console.log(JSON.stringify(await client.spent())) // per asset and in USD, with what remains
