#!/usr/bin/env node
/**
 * @module tollgate-devnet
 * Starts a devnet, prints its description (`Devnet.toJSON()`) as one JSON line on stdout once it
 * is ready, and runs until SIGINT or SIGTERM, then stops anvil and exits 0.
 */
import { parseArgs } from 'node:util'
import { type Devnet, type StartDevnetOptions, startDevnet } from './devnet/start-devnet.js'

const usage = `Usage: tollgate-devnet [--port <n>] [--chain-id <n>] [--block-time <seconds>] [--accounts <n>]

Starts anvil on 127.0.0.1 with two USDC-like tokens (usdc, 6 decimals; usdc18, 18 decimals) and
funded accounts, prints one JSON line {rpcUrl, chainId, network, tokens, accounts} when ready,
and runs until SIGINT or SIGTERM.

  --port <n>               port to listen on (default: a free port)
  --chain-id <n>           chain id (default 31337)
  --block-time <seconds>   seconds between blocks (default: one block per transaction)
  --accounts <n>           number of funded accounts (default 10)
  -h, --help               show this help
`

function parseOptions(argv: string[]): StartDevnetOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      'chain-id': { type: 'string' },
      'block-time': { type: 'string' },
      accounts: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return undefined
  const options: StartDevnetOptions = {}
  if (values.port !== undefined) options.port = toNumber('--port', values.port)
  if (values['chain-id'] !== undefined) options.chainId = toNumber('--chain-id', values['chain-id'])
  if (values['block-time'] !== undefined) options.blockTime = toNumber('--block-time', values['block-time'])
  if (values.accounts !== undefined) options.accounts = toNumber('--accounts', values.accounts)
  return options
}

function toNumber(flag: string, text: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag} expects a number, got ${text}`)
  return value
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  if (!options) {
    process.stdout.write(usage)
    return
  }
  let devnet: Devnet | undefined
  let stopping = false
  // Nothing else holds the event loop open: the devnet's anvil process is unref'd.
  const keepAlive = setInterval(() => {}, 1 << 30)
  const shutdown = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    clearInterval(keepAlive)
    try {
      // During startup there is no devnet yet: exiting kills the half-started anvil (exit hook).
      await devnet?.stop()
    } finally {
      process.exit(0)
    }
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  devnet = await startDevnet(options)
  process.stdout.write(`${JSON.stringify(devnet.toJSON())}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`tollgate-devnet: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
