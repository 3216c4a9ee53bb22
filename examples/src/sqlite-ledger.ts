import { createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { createSqliteLedger } from '@tollgate/sqlite'
import { privateKeyToAccount } from 'viem/accounts'

// Every agent process that opens this file shares one budget.
const ledger = createSqliteLedger({ path: process.env.LEDGER_PATH ?? 'budget.db' })
const wallets = [evmWallet({ account: privateKeyToAccount(process.env.AGENT_KEY as `0x${string}`) })]
const client = createClient({ wallets, policy: { budget: '$20', window: { seconds: 86_400 } }, ledger })

console.log(JSON.stringify((await client.spent()).usd)) // what every process sharing it spent
await ledger.close?.()
