// Pays one request from a separate process, with a file ledger; the parent kills it mid-payment.
import { createChainRegistry, createClient } from '@tollgate/core'
import { evmWallet } from '@tollgate/core/evm'
import { createFileLedger } from '@tollgate/core/node'
import { privateKeyToAccount } from 'viem/accounts'

const config = JSON.parse(process.env.TOLLGATE_CHILD_CONFIG)
const client = createClient({
  wallets: [
    evmWallet({
      account: privateKeyToAccount(config.privateKey),
      rpcUrls: { [config.network]: config.rpcUrl },
      pollingIntervalMs: 20,
    }),
  ],
  registry: createChainRegistry({ assets: [config.asset] }),
  policy: { budget: '$1' },
  ledger: createFileLedger({ path: config.ledgerPath }),
})
await client.fetch(config.url)
process.exit(0)
