/**
 * @module @tollgate/demo-api/main
 * Runs the demo API. With `TOLLGATE_RPC_URL`, `TOLLGATE_ASSET` and `TOLLGATE_PAY_TO` it uses that
 * chain (and settles x402 `exact` payments when `TOLLGATE_SETTLER_KEY` holds a funded key); without them it starts its own devnet. Once ready it prints one JSON line on stdout
 * (`{ url, network, payTo, asset, devnet }`) and runs until SIGINT or SIGTERM, then stops the
 * server and the devnet and exits 0. Diagnostics go to stderr; nothing else goes to stdout.
 */
import { randomBytes } from 'node:crypto'
import { type Devnet, startDevnet } from '@tollgate/testkit'
import { type SolanaDevnet, startSolanaDevnet } from '@tollgate/testkit/solana'
import { type LocalAccount, privateKeyToAccount } from 'viem/accounts'
import type { DemoAsset } from './create-demo-api.js'
import { readChainAsset } from './read-chain-asset.js'
import { type RunningDemoApi, type StartDemoApiOptions, startDemoApi } from './start-demo-api.js'

const DEFAULT_PORT = 4021

function log(message: string): void {
  process.stderr.write(`demo-api: ${message}\n`)
}

function readPort(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_PORT
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT "${text}" is not a port number.`)
  return port
}

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value.trim() === '') {
    throw new Error(`${name} is required when TOLLGATE_RPC_URL is set.`)
  }
  return value.trim()
}

async function main(): Promise<void> {
  let devnet: Devnet | undefined
  let solanaDevnet: SolanaDevnet | undefined
  let solana: StartDemoApiOptions['solana']
  let api: RunningDemoApi | undefined
  let stopping = false
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    try {
      await api?.close()
      // A devnet still starting is killed by the testkit's exit hook.
      await devnet?.stop()
      await solanaDevnet?.stop()
    } catch (error) {
      log(`error while stopping: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      process.exit(0)
    }
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)

  const port = readPort(process.env.PORT)
  let secret = process.env.TOLLGATE_SECRET
  if (secret === undefined || secret === '') {
    secret = randomBytes(32).toString('hex')
    log('TOLLGATE_SECRET is not set: using a random secret, so challenges and passes end with this process.')
  }

  let network: `${string}:${string}`
  let asset: DemoAsset
  let payTo: string
  const settlerKey = process.env.TOLLGATE_SETTLER_KEY?.trim()
  let settler: LocalAccount | undefined = settlerKey
    ? privateKeyToAccount(settlerKey as `0x${string}`)
    : undefined
  let rpcUrl = process.env.TOLLGATE_RPC_URL?.trim() ?? ''
  if (rpcUrl !== '') {
    const chain = await readChainAsset({ rpcUrl, address: required('TOLLGATE_ASSET') })
    network = chain.network
    asset = chain.asset
    payTo = required('TOLLGATE_PAY_TO')
  } else {
    log('TOLLGATE_RPC_URL is not set: starting a local devnet.')
    devnet = await startDevnet()
    const { usdc } = devnet.tokens
    rpcUrl = devnet.rpcUrl
    network = devnet.network
    asset = {
      address: usdc.address,
      decimals: usdc.decimals,
      symbol: usdc.symbol,
      name: usdc.name,
      eip712: { name: usdc.name, version: usdc.version },
    }
    payTo = devnet.accounts[9]!.address
    // Account 8 pays the gas of exact settlements on the devnet.
    settler ??= privateKeyToAccount(devnet.accounts[8]!.privateKey)
    // A local Solana cluster too, so agents can pay in SPL USDC; account 9 is paid there as well.
    solanaDevnet = await startSolanaDevnet()
    solana = {
      rpcUrl: solanaDevnet.rpcUrl,
      network: solanaDevnet.network,
      mint: solanaDevnet.tokens.usdc.mint,
      decimals: solanaDevnet.tokens.usdc.decimals,
      payTo: solanaDevnet.accounts[9]!.address,
    }
  }
  if (stopping) return
  api = await startDemoApi({
    rpcUrl,
    network,
    asset,
    payTo,
    secret,
    port,
    ...(settler ? { settler } : {}),
    ...(solana ? { solana } : {}),
  })
  process.stdout.write(
    `${JSON.stringify({
      url: api.url,
      network,
      payTo,
      asset,
      settler: settler?.address ?? null,
      devnet: devnet?.toJSON() ?? null,
      solana: solanaDevnet?.toJSON() ?? null,
    })}\n`,
  )
  const schemes = settler ? 'tx and exact' : 'tx'
  log(`listening on ${api.url} (${network}, ${schemes}, paid in ${asset.symbol} to ${payTo})`)
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error))
  process.exit(1)
})
