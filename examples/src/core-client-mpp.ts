import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
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
  policy: { budget: '$1', perCall: '$0.10' }, // one policy and one ledger for both protocols
  preferences: { protocols: ['mpp', 'x402'] }, // MPP first, x402 when MPP cannot be paid
})

const response = await client.fetch(`${process.env.API_URL ?? 'http://127.0.0.1:4021'}/api/search?q=mpp`)
console.log(response.status, client.paymentFor(response)) // { scheme: 'mpp', amount: '1000', transaction: '0x…', … }
console.log(response.headers.get('Payment-Receipt')) // base64url JSON: { status: 'success', method: 'evm', reference: '0x…', … }
