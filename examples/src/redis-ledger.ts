import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { createRedisLedger } from '@tollgate/redis'
import { privateKeyToAccount } from 'viem/accounts'

// One prefix is one budget, for every agent on every machine that opens it.
const ledger = createRedisLedger({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: 'agents:{team-a}:',
})
const wallets = [evmWallet({ account: privateKeyToAccount(process.env.AGENT_KEY as `0x${string}`) })]
const client = createClient({ wallets, policy: { budget: '$20', window: { seconds: 86_400 } }, ledger })

console.log(JSON.stringify((await client.spent()).usd)) // what every agent sharing it spent
await ledger.close?.()
