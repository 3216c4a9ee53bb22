/**
 * @module @tollgate/demo-hono/main
 * Runs the Hono demo. With `TOLLGATE_RPC_URL`, `TOLLGATE_ASSET` and `TOLLGATE_PAY_TO` it uses that
 * chain (and settles x402 `exact` payments when `TOLLGATE_SETTLER_KEY` holds a funded key); without
 * them it starts its own devnet (EVM). Once ready it prints one JSON line on stdout
 * (`{ url, network, payTo, asset, settler, devnet }`) and runs until SIGINT or SIGTERM, then stops
 * the server and the devnet and exits 0. Diagnostics go to stderr.
 */
import { randomBytes } from 'node:crypto'
import { type DemoAsset, readChainAsset } from '@tollgate/demo-api'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type LocalAccount, privateKeyToAccount } from 'viem/accounts'
import { type RunningDemoHono, startDemoHono } from './start-demo-hono.js'

function log(message: string): void {
  process.stderr.write(`demo-hono: ${message}\n`)
}

function required(name: string): string {
  const value = process.env[name]?.trim()
  if (value === undefined || value === '')
    throw new Error(`${name} is required when TOLLGATE_RPC_URL is set.`)
  return value
}

type Chain = {
  rpcUrl: string
  network: `${string}:${string}`
  asset: DemoAsset
  payTo: string
  devnet?: Devnet
}

/** The chain from the environment, or a devnet of our own (account 9 paid, account 8 settling). */
async function chainOf(settlerKey: string | undefined): Promise<Chain & { settler?: LocalAccount }> {
  const settler = settlerKey ? privateKeyToAccount(settlerKey as `0x${string}`) : undefined
  const rpcUrl = process.env.TOLLGATE_RPC_URL?.trim() ?? ''
  if (rpcUrl !== '') {
    const chain = await readChainAsset({ rpcUrl, address: required('TOLLGATE_ASSET') })
    return { rpcUrl, ...chain, payTo: required('TOLLGATE_PAY_TO'), ...(settler ? { settler } : {}) }
  }
  log('TOLLGATE_RPC_URL is not set: starting a local devnet.')
  const devnet = await startDevnet()
  const { usdc } = devnet.tokens
  return {
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    asset: {
      address: usdc.address,
      decimals: usdc.decimals,
      symbol: usdc.symbol,
      name: usdc.name,
      eip712: { name: usdc.name, version: usdc.version },
    },
    payTo: devnet.accounts[9]!.address,
    settler: settler ?? privateKeyToAccount(devnet.accounts[8]!.privateKey),
    devnet,
  }
}

async function main(): Promise<void> {
  let chain: (Chain & { settler?: LocalAccount }) | undefined
  let api: RunningDemoHono | undefined
  const shutdown = async (): Promise<void> => {
    await api?.close().catch(() => {})
    await chain?.devnet?.stop().catch(() => {})
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  const port = Number(process.env.PORT ?? 4022)
  let secret = process.env.TOLLGATE_SECRET ?? ''
  if (secret === '') {
    secret = randomBytes(32).toString('hex')
    log('TOLLGATE_SECRET is not set: using a random secret, so challenges and passes end with this process.')
  }
  chain = await chainOf(process.env.TOLLGATE_SETTLER_KEY?.trim())
  const { rpcUrl, network, asset, payTo, settler, devnet } = chain
  api = await startDemoHono({ rpcUrl, network, asset, payTo, secret, port, ...(settler ? { settler } : {}) })
  const line = {
    url: api.url,
    network,
    payTo,
    asset,
    settler: settler?.address ?? null,
    devnet: devnet?.toJSON() ?? null,
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
  log(
    `listening on ${api.url} (${network}, ${settler ? 'tx and exact' : 'tx'}, paid in ${asset.symbol} to ${payTo})`,
  )
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
